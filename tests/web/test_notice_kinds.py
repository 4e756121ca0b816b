"""A numbered notice for every kind of item, and a day's notices in bounded parts (issues 19.6 and 20.1).

A 交办件 has no plan task, and the notice's query joined one: its PDF was a 500 on the item page and the ledger,
and so was the day's batch holding one. The batch itself was one document of every notice of the day (1,614
after a first scan: 90 s and 1.95 GB in one worker).
"""
from __future__ import annotations

import io
from datetime import date, datetime, timezone
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tracker.extensions import db
from tracker.models import AccountabilityRecord, ItemSource, ItemStatus, Role
from tracker.services.ledger import escalation, notices
from tracker.services.trust import accounts
from tracker.services.work import instructions, items, splitting, workflow
from tracker.settings import settings as settings_of

SCAN = datetime(2023, 7, 20, 16, 10, tzinfo=timezone.utc)  # 21 July, 00:10 in Shanghai: each item 21 days late
DAY = date(2023, 7, 21)


@pytest.fixture
def one_of_each(app, plan, unit, make_user, make_item, office):
    """A plan item, a 交办件, a township's part of it split by its district, and a 批示件, all overdue."""
    district = make_user(Role.UNIT_ADMIN, "jiaqu")
    plan_item = make_item(due=date(2023, 6, 30), title="计划内事项")
    ad_hoc = items.create_ad_hoc(actor=office, plan=plan, source=ItemSource.MEETING, source_ref="常务会议 2023-03-30",
                                 title="会议交办事项", description="排查", due_date=date(2023, 6, 30),
                                 lead=unit("jiaqu"), cooperating=[], now=plan_item.created_at)
    workflow.move(ad_hoc, actor=district, to=ItemStatus.IN_PROGRESS, expected_version=ad_hoc.version,
                  now=plan_item.created_at)
    (child,) = splitting.split(ad_hoc, actor=district, now=plan_item.created_at, parts=[
        splitting.Part(unit("jiaqu_dongcheng"), "东城街道排查", date(2023, 6, 30))])
    proposal = instructions.propose(actor=make_user(Role.LEADER, "city"), title="领导批示事项", text="请抓紧办理",
                                    due_date=None, now=plan_item.created_at)
    instructed = instructions.assign_proposal(proposal, actor=office, plan=plan, lead=unit("sfj"), cooperating=[],
                                              due_date=date(2023, 6, 30), source_ref="批示〔2023〕1号",
                                              now=plan_item.created_at)
    ladder = settings_of(app).ladder
    escalation.scan(now=SCAN, ladder=ladder, timezone=app.config["TRACKER_TIMEZONE"])
    db.session.commit()
    return {"plan item": plan_item, "交办件": ad_hoc, "split child": child, "批示件": instructed}


@pytest.fixture
def api_as(app):
    """An API client with a token of the user's."""
    from tests.api.api_helpers import ApiClient

    def client(user):
        _token, secret = accounts.create_token(user, name="notices", actor=user, now=user.created_at)
        db.session.commit()
        return ApiClient(app.test_client(), secret)
    return client


def supervision_notice(item) -> AccountabilityRecord:
    return db.session.scalars(sa.select(AccountabilityRecord).where(
        AccountabilityRecord.item_id == item.id, AccountabilityRecord.doc_number.is_not(None))
        .order_by(AccountabilityRecord.level)).first()


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


BELONGS = {"plan item": "1. ", "交办件": "交办事项(会议议定):常务会议 2023-03-30", "split child": "交办事项",
           "批示件": "交办事项(领导批示):批示〔2023〕1号"}


@pytest.mark.parametrize("kind", list(BELONGS))
def test_every_kind_of_item_has_a_notice_that_opens_from_the_api_and_the_ledger(one_of_each, api_as, office,
                                                                               sign_in, kind):
    record = supervision_notice(one_of_each[kind])
    assert record is not None and record.doc_number.startswith("督办〔2023〕")
    answer = api_as(office).get(f"/records/{record.id}/notice.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = text_of(answer.data)
    assert record.doc_number in text and BELONGS[kind] in text and one_of_each[kind].title in text
    disposition = answer.headers["Content-Disposition"]
    assert disposition.startswith("inline;") and f'filename="notice-{record.id}.pdf"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == f"督办通知-{record.doc_number}.pdf"
    page = sign_in(office).get(f"/records/{record.id}/notice.pdf")
    assert page.status_code == 200 and page.headers["Content-Disposition"] == disposition


def test_the_item_page_links_its_notice_for_opening_not_for_a_download_that_the_browser_cancels(
        one_of_each, sign_in, office):
    item = one_of_each["交办件"]
    html = sign_in(office).get(f"/items/{item.id}").get_data(as_text=True)
    record = supervision_notice(item)
    link = f'href="/records/{record.id}/notice.pdf"'
    assert link in html and f"{link} download" not in html


def test_a_days_batch_holds_every_kind(one_of_each, api_as, office):
    """The day's parts (the whole plan's backlog falls due in this scan too) hold each kind's notice."""
    wanted = {supervision_notice(item).doc_number for item in one_of_each.values()}
    first = notices.notices_of_day(DAY, actor=office, timezone="Asia/Shanghai")
    holding = {part for part in range(1, first.parts + 1)
               if wanted & {r.doc_number for r in notices.notices_of_day(DAY, actor=office, timezone="Asia/Shanghai",
                                                                         part=part).records}}
    api, found = api_as(office), set()
    for part in sorted(holding):
        answer = api.get(f"/notices.pdf?day={DAY}&part={part}")
        assert answer.status_code == 200 and answer.headers["X-Part-Count"] == str(first.parts)
        text = text_of(answer.data)
        found |= {number for number in wanted if number in text}
    assert found == wanted


def test_a_days_notices_come_in_parts_of_a_bounded_size(one_of_each, api_as, office, sign_in, monkeypatch):
    monkeypatch.setattr(notices, "NOTICES_PER_PART", 3)
    total = db.session.execute(sa.select(sa.func.count()).select_from(AccountabilityRecord).where(
        AccountabilityRecord.doc_number.is_not(None))).scalar_one()
    parts = -(-total // 3)
    assert parts >= 2
    api = api_as(office)
    seen = []
    for part in range(1, parts + 1):
        answer = api.get(f"/notices.pdf?day={DAY}&part={part}")
        assert answer.status_code == 200
        assert answer.headers["X-Total-Count"] == str(total) and answer.headers["X-Part-Count"] == str(parts)
        assert f"第{part}册(共{parts}册)" in unquote(answer.headers["Content-Disposition"])
        found = [r.doc_number for r in notices.notices_of_day(DAY, actor=office, timezone="Asia/Shanghai",
                                                              part=part).records]
        assert len(found) <= 3 and all(number in text_of(answer.data) for number in found)
        seen += found
    assert len(seen) == len(set(seen)) == total  # every notice once, none twice
    refused = api.get(f"/notices.pdf?day={DAY}&part={parts + 1}")
    assert refused.status_code == 422 and f"分 {parts} 册" in refused.get_json()["message"]
    page = sign_in(office).get(f"/ledger/notices.pdf?day={DAY}").get_data(as_text=True)
    assert all(f"part={part}" in page for part in range(1, parts + 1)) and f"{total}" in page
