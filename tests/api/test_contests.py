"""退办 / 异议 through the API: a unit contests an item inside its window (refused after it, naming the day it
closed), the office upholds (the named unit takes it) or rejects it; stale versions, wrong units and unknown
fields are refused and change nothing."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
import time_machine
from tests.api.api_helpers import NOW, ApiClient, assert_error, item_state

from tracker.extensions import db
from tracker.models import Event, ItemContest, Notification, User, WorkItem


def contest(api: ApiClient, item: WorkItem, **body: object):
    return api.post(f"/items/{item.id}/contests", json={"reason": "职责不符,应由市公安局牵头"} | body)


def test_a_unit_contests_inside_its_window_and_the_office_upholds_it(api_as: Callable[..., ApiClient], make_item,
                                                                     sfj_admin: User, office: User, unit) -> None:
    item = make_item("sfj")
    raised = contest(api_as(sfj_admin), item, proposed_unit_id=unit("gaj").id)
    assert raised.status_code == 201, raised.get_json()
    body = raised.get_json()
    assert (body["status"], body["proposed_unit_id"], body["unit_id"]) == ("pending", unit("gaj").id, unit("sfj").id)
    shown = api_as(office).get(f"/items/{item.id}").get_json()
    assert shown["contested"] is True and "decide_contest" in shown["offers"]["actions"]
    assert [c["id"] for c in api_as(office).get("/contests?status=pending").get_json()] == [body["id"]]
    decided = api_as(office).post(f"/contests/{body['id']}/decision",
                                  json={"decision": "uphold", "note": "同意,改由市公安局牵头", "version": item.version})
    assert decided.status_code == 200, decided.get_json()
    assert decided.get_json()["status"] == "upheld"
    db.session.expire_all()
    assert db.session.get(WorkItem, item.id).unit_id == unit("gaj").id
    assert {"item.contest", "item.units", "item.contest_upheld"} <= set(db.session.scalars(
        sa.select(Event.action).where(Event.item_id == item.id)))
    assert db.session.scalar(sa.select(Notification.unit_id).where(Notification.kind == "contest_decided")) \
        == unit("sfj").id
    assert api_as(sfj_admin).get("/contests").get_json()[0]["status"] == "upheld"


def test_the_office_rejects_a_contest_with_a_reason(api_as: Callable[..., ApiClient], make_item, sfj_admin: User,
                                                    office: User, unit) -> None:
    item = make_item("sfj")
    contest_id = contest(api_as(sfj_admin), item).get_json()["id"]
    without = api_as(office).post(f"/contests/{contest_id}/decision", json={"decision": "reject",
                                                                            "version": item.version})
    assert_error(without, 422)
    rejected = api_as(office).post(f"/contests/{contest_id}/decision",
                                   json={"decision": "reject", "note": "属本单位职责", "version": item.version})
    assert rejected.get_json()["status"] == "rejected"
    db.session.expire_all()
    assert db.session.get(WorkItem, item.id).unit_id == unit("sfj").id
    assert api_as(office).get(f"/items/{item.id}").get_json()["contested"] is False


def test_a_contest_after_its_window_is_refused_naming_the_day_it_closed(api_as: Callable[..., ApiClient], make_item,
                                                                         sfj_admin: User) -> None:
    item = make_item("sfj")
    api = api_as(sfj_admin)
    before = item_state(item.id)
    with time_machine.travel(NOW + timedelta(days=11), tick=False):  # 清明 (5 April) is off: it closed on the 13th
        refused = contest(api, item)
        assert "contest" not in api.get(f"/items/{item.id}").get_json()["offers"]["actions"]
    body = assert_error(refused, 422, "contest_window_closed")
    assert "2023-04-13" in body["message"]
    assert item_state(item.id) == before


def test_a_stale_version_refuses_the_decision_and_changes_nothing(api_as: Callable[..., ApiClient], make_item,
                                                                  sfj_admin: User, office: User, unit) -> None:
    item = make_item("sfj")
    contest_id = contest(api_as(sfj_admin), item, proposed_unit_id=unit("gaj").id).get_json()["id"]
    office_api = api_as(office)  # its token is audited: made before the count
    before = item_state(item.id)
    stale = office_api.post(f"/contests/{contest_id}/decision",
                                json={"decision": "uphold", "note": "同意", "version": item.version - 1 or 99})
    assert_error(stale, 409, "stale_version")
    assert item_state(item.id) == before
    assert db.session.get(ItemContest, contest_id).status == "pending"


def test_another_unit_cannot_contest_and_a_unit_cannot_decide_its_own(api_as: Callable[..., ApiClient], make_item,
                                                                       sfj_admin: User, gaj_admin: User,
                                                                       sfj_member: User) -> None:
    item = make_item("sfj")
    assert_error(contest(api_as(gaj_admin), item), 404)  # 市公安局 cannot see 市司法局's item
    assert_error(contest(api_as(sfj_member), item), 403, "contest_forbidden")
    contest_id = contest(api_as(sfj_admin), item).get_json()["id"]
    own = api_as(sfj_admin).post(f"/contests/{contest_id}/decision",
                                 json={"decision": "reject", "note": "撤回", "version": item.version})
    assert_error(own, 403, "office_only")
    assert_error(api_as(gaj_admin).get(f"/items/{item.id}/contests"), 404)


def test_unknown_fields_and_wrong_types_are_refused(api_as: Callable[..., ApiClient], make_item, sfj_admin: User,
                                                    office: User) -> None:
    item = make_item("sfj")
    api = api_as(sfj_admin)
    before = item_state(item.id)
    assert_error(contest(api, item, unit="gaj"), 422)
    assert_error(contest(api, item, proposed_unit_id="gaj"), 422)
    assert_error(api.post(f"/items/{item.id}/contests", data="{", content_type="application/json"), 400)
    assert item_state(item.id) == before
    contest_id = contest(api, item).get_json()["id"]
    assert_error(api_as(office).post(f"/contests/{contest_id}/decision",
                                     json={"decision": "maybe", "note": "x", "version": item.version}), 422)
    assert_error(api_as(office).post(f"/contests/{contest_id}/decision",
                                     json={"decision": "reject", "note": "x", "version": item.version,
                                           "extra": 1}), 422)


def test_the_office_reads_every_contest_page_by_page_none_left_out(api_as: Callable[..., ApiClient], make_item,
                                                                   sfj_admin: User, office: User) -> None:
    raised = [contest(api_as(sfj_admin), make_item("sfj")).get_json()["id"] for _ in range(5)]
    read, path, pages = [], "/contests?limit=2", 0
    while path:
        page = api_as(office).get(path)
        assert page.status_code == 200 and len(page.get_json()) <= 2
        read += [c["id"] for c in page.get_json()]
        link = page.headers.get("Link")
        path = link[link.index("/contests"):link.index(">")] if link else ""
        pages += 1
    assert read == sorted(raised, reverse=True) and pages == 3  # newest first, each once
    assert_error(api_as(office).get("/contests?limit=501"), 422)
    assert_error(api_as(office).get("/contests?cursor=x"), 422)
