"""Review in place: in the office's review queue and the indicator figures awaiting it, a decision swaps its row
out (the page keeps its place) and a refusal is shown next to the form it belongs to, not in the banner at the
top; without a script the forms come back to the queue at the row's anchor with the message beside the row."""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from tracker.clock import utcnow
from tracker.extensions import db
from tracker.models import Indicator, ItemStatus, ReportStatus
from tracker.services.assessment import indicator_reports
from tracker.services.work import progress

HTMX = {"HX-Request": "true"}


def flash_area(html: str) -> str:
    start = html.index('id="flash"')
    return html[start:html.index("</div>", start)]


def office_queue_with(sign_in, people, make_item, title: str):
    """A submitted item, the office signed in, and the office's workspace page with the item in its queue."""
    item = make_item("sfj", status=ItemStatus.SUBMITTED, title=title)
    client = sign_in(people["office"])
    return item, client, client.get("/office/").get_data(as_text=True)


def row_of(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    return html[start:html.index(f'id="{anchor}-error"', start) + 400]


def test_a_return_without_a_reason_is_refused_beside_its_row_not_in_the_banner(sign_in, people, make_item):
    item, client, page = office_queue_with(sign_in, people, make_item, "缺理由退回的事项")
    assert f'id="review-{item.id}-error"' in page and 'aria-live="assertive"' in page
    refused = client.post(f"/review/{item.id}", headers=HTMX,
                          data={"decision": "return", "version": item.version})
    assert refused.status_code == 422
    assert refused.headers["HX-Retarget"] == f"#review-{item.id}-error"
    assert refused.headers["HX-Reswap"] == "innerHTML"
    assert "退回必须说明理由" in refused.get_data(as_text=True) and item.status == ItemStatus.SUBMITTED


def test_an_approval_swaps_the_row_for_its_words_instead_of_reloading_the_queue(sign_in, people, make_item):
    item, client, page = office_queue_with(sign_in, people, make_item, "就地审核的事项")
    assert f'hx-target="#review-{item.id}"' in page and 'hx-swap="outerHTML"' in page
    approved = client.post(f"/review/{item.id}", headers=HTMX,
                           data={"decision": "approve", "version": item.version})
    assert approved.status_code == 200 and "HX-Redirect" not in approved.headers
    html = approved.get_data(as_text=True)
    assert f'id="review-{item.id}"' in html and "已审核办结:就地审核的事项" in html
    assert item.status == ItemStatus.DONE


def test_without_a_script_a_refusal_comes_back_to_the_rows_anchor_with_the_message_beside_it(
        sign_in, people, make_item):
    item = make_item("sfj", status=ItemStatus.SUBMITTED, title="无脚本退回的事项")
    client = sign_in(people["office"])
    refused = client.post(f"/review/{item.id}", data={"decision": "return", "version": item.version})
    assert refused.status_code == 303 and refused.headers["Location"] == f"/office/#review-{item.id}"
    assert item.status == ItemStatus.SUBMITTED
    page = client.get("/office/").get_data(as_text=True)
    assert "退回必须说明理由" in row_of(page, f"review-{item.id}")
    assert "退回必须说明理由" not in flash_area(page)
    assert "退回必须说明理由" not in client.get("/office/").get_data(as_text=True), "said once"


def test_without_a_script_a_decision_comes_back_to_the_next_row_with_its_words_above_it(
        sign_in, people, make_item):
    first = make_item("sfj", status=ItemStatus.SUBMITTED, title="先审的事项")
    second = make_item("gaj", status=ItemStatus.SUBMITTED, title="后审的事项")
    client = sign_in(people["office"])
    page = client.get("/office/").get_data(as_text=True)
    ids = [first.id, second.id] if page.index(f'id="review-{first.id}"') < page.index(
        f'id="review-{second.id}"') else [second.id, first.id]
    decided = db.session.get(type(first), ids[0])
    response = client.post(f"/review/{ids[0]}?then=review-{ids[1]}",
                           data={"decision": "approve", "version": decided.version})
    assert response.status_code == 303 and response.headers["Location"] == f"/office/#review-{ids[1]}"
    page = client.get("/office/").get_data(as_text=True)
    note = page[:page.index(f'id="review-{ids[1]}"')]
    assert f"已审核办结:{decided.title}" in note[-300:]


@pytest.fixture
def figure(people, tmp_path):
    filing = db.session.execute(sa.select(Indicator).where(Indicator.key == "filing_review_rate")).scalar_one()
    return indicator_reports.report(filing, actor=people["sfj_admin"], period="2023", value=Decimal("97"), note="",
                             files=[], storage=progress.Storage(folder=tmp_path, max_bytes=1 << 20), now=utcnow())


def test_an_indicator_figure_returned_without_a_reason_comes_back_to_the_queue_not_a_bare_page(
        sign_in, people, figure):
    client = sign_in(people["office"])
    queue = "/indicators?period=2023"
    refused = client.post(f"/indicator-reports/{figure.id}/decision",
                          data={"decision": "return", "version": figure.version, "next": queue})
    assert refused.status_code == 303 and refused.headers["Location"] == f"{queue}#figure-{figure.id}"
    page = client.get(queue)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="pending-figures"' in html
    assert "退回须说明理由" in row_of(html, f"figure-{figure.id}") and "退回须说明理由" not in flash_area(html)
    assert figure.status == ReportStatus.SUBMITTED


def test_an_indicator_figure_is_decided_in_place_from_the_queue(sign_in, people, figure):
    client = sign_in(people["office"])
    refused = client.post(f"/indicator-reports/{figure.id}/decision", headers=HTMX,
                          data={"decision": "return", "version": figure.version, "next": "/indicators"})
    assert refused.status_code == 422 and refused.headers["HX-Retarget"] == f"#figure-{figure.id}-error"
    accepted = client.post(f"/indicator-reports/{figure.id}/decision", headers=HTMX,
                           data={"decision": "accept", "version": figure.version, "next": "/indicators"})
    assert accepted.status_code == 200 and f'id="figure-{figure.id}"' in accepted.get_data(as_text=True)
    assert figure.status == ReportStatus.ACCEPTED
