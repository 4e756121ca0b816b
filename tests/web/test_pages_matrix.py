"""Every page for every role, as a full load and as an htmx partial; and another unit's objects through every
page: never shown, never changed."""
from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from tracker.extensions import db
from tracker.models import AccountabilityRecord, Attachment, Digest, Indicator, ItemStatus
from tracker.services.assessment import indicator_reports
from tracker.services.work import progress

ROLES = ["office", "leader", "sfj_admin", "sfj_member"]


@pytest.fixture
def sfj_things(app, people, make_item, now):
    """A card of 市司法局 in progress with evidence, a supervision notice and a digest."""
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS, title="司法局专属事项")
    update = progress.add_update(item, actor=people["sfj_admin"], text="进展", percent=None, now=now,
                                 files=[progress.Upload("证明.pdf", io.BytesIO(b"%PDF-1.4"))],
                                 storage=progress.Storage(Path(app.config["TRACKER_UPLOAD_DIR"]), 1024 * 1024))
    record = AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=3, level_name="督办",
                                  due_date=item.due_date, reason="司法局的督办记录", issued_at=now)
    digest = Digest(period_key="2023-W14", recipient_key="sfj", unit_id=item.unit_id, created_at=now,
                    subject="司法局周报", data={}, html="<p>x</p>", text="x")
    db.session.add_all([record, digest])
    db.session.flush()
    attachment = db.session.query(Attachment).filter_by(update_id=update.id).one()
    filing = db.session.query(Indicator).filter_by(key="filing_review_rate").one()
    figure = indicator_reports.report(filing, actor=people["sfj_admin"], period="2023", value=Decimal("97"), note="司法局的指标说明",
                               files=[progress.Upload("指标佐证.pdf", io.BytesIO(b"%PDF-1.4"))], now=now,
                               storage=progress.Storage(Path(app.config["TRACKER_UPLOAD_DIR"]), 1024 * 1024))
    evidence = db.session.query(Attachment).filter_by(indicator_report_id=figure.id).one()
    return {"item": item, "record": record, "digest": digest, "attachment": attachment, "figure": figure,
            "figure_file": evidence}


def pages(things: dict) -> dict[str, list[str]]:
    """Page URL -> roles that may open it."""
    item, figure = things["item"].id, things["figure"]
    return {"/board": ROLES, "/dashboard": ROLES, "/ledger": ROLES, "/digests": ROLES, f"/items/{item}": ROLES,
            "/notifications": ROLES, "/office/webhooks/": ["office"],
            f"/digests/{things['digest'].id}": ROLES, "/office/": ["office"], "/instructions": ["office", "leader"],
            "/office/intake": ["office"], "/bulletins": ROLES,
            f"/items/{item}/move-form?to=submitted": ["sfj_admin"],  # only the lead unit's admin submits
            "/indicators": ROLES, "/reporting/": ROLES, "/indicators?period=2023&sort=-state": ROLES,
            f"/indicators/{figure.indicator_id}/history?unit={figure.unit_id}&period=2023": ROLES,
            "/assessment?year=2023": ROLES}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_a_full_page_and_an_htmx_partial(sign_in, people, sfj_things, role):
    client = sign_in(people[role])
    for url, allowed in pages(sfj_things).items():
        full = client.get(url)
        partial = client.get(url, headers={"HX-Request": "true"})
        if role not in allowed:
            assert full.status_code == partial.status_code == 403, url
            continue
        assert full.status_code == partial.status_code == 200, url
        assert "<html" in full.get_data(as_text=True), url
        assert "<html" not in partial.get_data(as_text=True), url
        assert "HX-Request" in full.headers["Vary"], url


@pytest.mark.parametrize("role", ["office", "leader", "sfj_member"])
def test_errors_are_messages_never_tracebacks_or_json(sign_in, people, role):
    client = sign_in(people[role])
    for url in ("/items/999999", "/digests/999999", "/files/999999"):
        page = client.get(url)
        partial = client.get(url, headers={"HX-Request": "true"})
        assert page.status_code == partial.status_code == 404
        assert page.mimetype == partial.mimetype == "text/html"
        assert "工作项不存在" in page.get_data(as_text=True) or "不存在" in page.get_data(as_text=True)
        assert partial.get_data(as_text=True).lstrip().startswith('<p class="flash error"')


def test_another_unit_never_sees_nor_changes_sfj_things_through_any_page(sign_in, people, sfj_things):
    item, record, figure = sfj_things["item"], sfj_things["record"], sfj_things["figure"]
    version = item.version
    client = sign_in(people["other_admin"])
    hidden = [f"/items/{item.id}", f"/items/{item.id}/move-form?to=submitted",
              f"/files/{sfj_things['attachment'].id}", f"/files/{sfj_things['attachment'].id}/view",
              f"/files/{sfj_things['attachment'].id}/thumbnail",
              f"/digests/{sfj_things['digest'].id}",
              f"/digests/{sfj_things['digest'].id}/sent",
              f"/files/{sfj_things['figure_file'].id}",
              f"/indicators/{figure.indicator_id}/history?unit={figure.unit_id}&period=2023"]
    for url in hidden:
        assert client.get(url).status_code == 404, url
    changes = {f"/items/{item.id}/move": {"to": "submitted", "version": version, "note": "冒充"},
               f"/items/{item.id}/updates": {"text": "冒充进展"},
               f"/items/{item.id}/comments": {"text": "冒充评论"},
               f"/items/{item.id}/extensions": {"due": "2024-06-30", "reason": "冒充"},
               f"/records/{record.id}/answer": {"explanation": "冒充", "remedy_date": "2099-01-01"}}
    for url, data in changes.items():
        assert client.post(url, data=data).status_code == 404, url
    assert client.post("/records/close", data={"record_ids": [record.id], "note": "冒充"}).status_code == 403
    assert client.post(f"/indicator-reports/{figure.id}/decision", data={
        "decision": "accept", "version": figure.version}).status_code == 403
    for url in ("/board?q=司法局专属", f"/board?unit={item.unit_id}", "/ledger", "/ledger/export.csv",
                "/ledger/items.csv",
                "/dashboard", "/digests", "/indicators?period=2023"):
        body = client.get(url).get_data()
        assert "司法局的指标说明".encode() not in body, url
        assert "司法局专属事项".encode() not in body and "司法局的督办记录".encode() not in body, url
        assert "司法局周报".encode() not in body, url
    assert item.version == version and item.status == ItemStatus.IN_PROGRESS and figure.status == "submitted"
    assert record.answer_text is None
