"""退办 / 异议 on the pages: the item page offers the contest inside the window and names the day it closes; the
office upholds or rejects from the item page or from 我的待办; 异议中 shows on the card and the item page."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from tests.conftest import NOW

from tracker import limits
from tracker.extensions import db
from tracker.models import ContestStatus, Event, ItemContest, Role, WorkItem


@pytest.fixture(autouse=True)
def _on_the_day_of_the_assignment() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


def contests_of(item: WorkItem) -> list[ItemContest]:
    return list(db.session.scalars(sa.select(ItemContest).where(ItemContest.item_id == item.id)))


def test_a_unit_contests_on_the_item_page_and_the_office_upholds_it_there(sign_in, people, make_item, unit):
    item = make_item("sfj")
    unit_page = sign_in(people["sfj_admin"])
    html = unit_page.get(f"/items/{item.id}").get_data(as_text=True)
    form = f'action="/items/{item.id}/contests"'
    assert form in html and "2023-04-13 前" in html  # 清明 (5 April) is not a working day
    response = unit_page.post(f"/items/{item.id}/contests", data={"reason": "职责不符", "proposed_unit_id":
                                                               str(unit("gaj").id)})
    assert response.status_code == 303
    html = unit_page.get(f"/items/{item.id}").get_data(as_text=True)
    assert "异议已报送" in html and "异议中" in html and form not in html
    assert "异议中" in unit_page.get("/board").get_data(as_text=True)
    (contest,) = contests_of(item)
    office = sign_in(people["office"])
    html = office.get(f"/items/{item.id}").get_data(as_text=True)
    assert "处理异议" in html
    response = office.post(f"/contests/{contest.id}/decide", data={
        "decision": "uphold", "note": "同意", "version": str(item.version), "new_due_date": "2024-03-31"})
    assert response.status_code == 303
    db.session.expire_all()
    assert (item.unit_id, str(item.due_date), contest.status) == (unit("gaj").id, "2024-03-31", ContestStatus.UPHELD)


def test_the_office_rejects_a_contest_from_its_todo_list(sign_in, people, make_item):
    item = make_item("sfj")
    sign_in(people["sfj_admin"]).post(f"/items/{item.id}/contests", data={"reason": "职责不符"})
    office = sign_in(people["office"])
    queue = office.get("/todo/contests").get_data(as_text=True)
    assert "待处理的异议" in queue and "职责不符" in queue and "处理异议" in queue
    (contest,) = contests_of(item)
    response = office.post(f"/contests/{contest.id}/decide", data={
        "decision": "reject", "note": "属本单位职责", "version": str(item.version), "next": "/todo/contests"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/todo/contests")
    db.session.expire_all()
    assert contest.status == ContestStatus.REJECTED and item.unit.short_name == "市司法局"
    mine = sign_in(people["sfj_admin"]).get("/").get_data(as_text=True)
    assert "本单位的异议" in mine and "异议不成立:属本单位职责" in mine


def test_after_the_window_the_page_offers_no_contest_and_a_post_is_refused_with_the_day(sign_in, people, make_item):
    item = make_item("sfj")
    with time_machine.travel(NOW + timedelta(days=11), tick=False):
        client = sign_in(people["sfj_admin"])
        assert "/contests" not in client.get(f"/items/{item.id}").get_data(as_text=True)
        refused = client.post(f"/items/{item.id}/contests", data={"reason": "职责不符"})
    assert refused.status_code == 422 and "异议期已于 2023-04-13 届满" in refused.get_data(as_text=True)
    assert contests_of(item) == []


@pytest.mark.parametrize("data", [{"reason": ""}, {"reason": "x", "proposed_unit_id": "abc"},
                                  {"reason": "x", "colour": "red"}, {"reason": "x" * (limits.NOTE + 1)}])
def test_a_bad_contest_form_changes_nothing(sign_in, people, make_item, data):
    item = make_item("sfj")
    response = sign_in(people["sfj_admin"]).post(f"/items/{item.id}/contests", data=data)
    assert response.status_code == 422
    assert contests_of(item) == []


def test_a_stale_decision_and_a_units_own_decision_are_refused(sign_in, people, make_item, unit):
    item = make_item("sfj")
    sign_in(people["sfj_admin"]).post(f"/items/{item.id}/contests", data={"reason": "职责不符"})
    (contest,) = contests_of(item)
    events = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    own = sign_in(people["sfj_admin"]).post(f"/contests/{contest.id}/decide", data={
        "decision": "reject", "note": "撤回", "version": str(item.version)})
    assert own.status_code == 403
    stale = sign_in(people["office"]).post(f"/contests/{contest.id}/decide", data={
        "decision": "uphold", "note": "同意", "version": str(item.version + 1), "new_unit_id": str(unit("gaj").id)})
    assert stale.status_code == 409
    db.session.expire_all()
    assert contest.status == ContestStatus.PENDING and item.unit_id == unit("sfj").id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == events


def test_a_member_is_not_offered_the_contest(sign_in, people, make_item, make_user):
    item = make_item("sfj")
    assert "/contests" not in sign_in(people["sfj_member"]).get(f"/items/{item.id}").get_data(as_text=True)
    assert sign_in(make_user(Role.UNIT_MEMBER, "sfj")).post(f"/items/{item.id}/contests",
                                                           data={"reason": "x"}).status_code == 403


def test_the_ledger_shows_contests_to_those_who_see_the_item(sign_in, people, make_item):
    item = make_item("sfj", title="有异议的事项")
    sign_in(people["sfj_admin"]).post(f"/items/{item.id}/contests", data={"reason": "职责不符"})
    for who in ("office", "leader", "sfj_member"):
        ledger = sign_in(people[who]).get("/ledger").get_data(as_text=True)
        section = ledger[ledger.index('id="ledger-contests"'):]
        assert "有异议的事项" in section and "职责不符" in section and "异议中" in section, who
    other = sign_in(people["other_admin"]).get("/ledger").get_data(as_text=True)
    assert "有异议的事项" not in other
