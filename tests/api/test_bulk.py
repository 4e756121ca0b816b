"""Bulk decisions through the API (issue 22): one endpoint per action, one answer per item, each item decided and
audited by the single-item service, a stale or refused item refused alone."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
import sqlalchemy as sa

from tests.api.api_helpers import ApiClient, assert_error
from tests.bulk_helpers import NOW, body, event_count, plan_items
from tracker import limits
from tracker.extensions import db
from tracker.models import Event, ExtensionStatus, ItemStatus, User, WorkItem
from tracker.services.work import deadline_extensions, items

Api = Callable[[User | None], ApiClient]


def test_bulk_approve_of_200_items_where_3_are_stale_approves_197_and_refuses_the_3(api_as: Api, office: User):
    chosen = plan_items(200, ItemStatus.SUBMITTED)
    sent = body(chosen)  # the versions the office saw
    stale = [chosen[7], chosen[99], chosen[180]]
    for item in stale:  # changed by someone else after the office looked
        items.edit_item(item, actor=office, changes={"title": item.title + "(修订)"}, expected_version=item.version,
                        now=NOW)
    api = api_as(office)
    before = event_count()

    response = api.post("/bulk/approve", json=sent)

    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert (answer["done"], answer["refused"]) == (197, 3)
    assert event_count() == before + 197
    refused = {r["id"]: r for r in answer["results"] if not r["ok"]}
    assert set(refused) == {item.id for item in stale}
    for item in stale:
        error = refused[item.id]["error"]
        assert error["code"] == "stale_version"
        assert f"当前版本 {item.version},提交的版本 {item.version - 1}" in error["message"]
    db.session.expire_all()
    statuses = dict(db.session.execute(sa.select(WorkItem.id, WorkItem.status).where(
        WorkItem.id.in_([item.id for item in chosen]))).all())
    assert [statuses[item.id] for item in stale] == [ItemStatus.SUBMITTED] * 3
    assert sum(status == ItemStatus.DONE for status in statuses.values()) == 197
    done = [r for r in answer["results"] if r["ok"]]
    assert all(r["version"] == db.session.get(WorkItem, r["id"]).version for r in done)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Event).where(
        Event.action == "item.approve", Event.item_id.in_([r["id"] for r in done]))).scalar() == 197


def test_bulk_return_gives_every_item_the_one_reason(api_as: Api, office: User):
    chosen = plan_items(3, ItemStatus.SUBMITTED)
    response = api_as(office).post("/bulk/return", json=body(chosen, reason="佐证材料不全"))
    assert response.get_json()["done"] == 3
    db.session.expire_all()
    assert {(item.status, item.last_return_reason) for item in chosen} == {(ItemStatus.IN_PROGRESS, "佐证材料不全")}


def test_bulk_grant_and_refuse_decide_each_items_waiting_request(api_as: Api, office: User, sfj_admin: User,
                                                                  make_item: Callable[..., WorkItem]):
    chosen = [make_item("sfj", status=ItemStatus.IN_PROGRESS, due=date(2023, 6, 30)) for _ in range(4)]
    requests = [deadline_extensions.request_extension(item, actor=sfj_admin, due=date(2023, 9, 30), reason="汛期",
                                                      now=NOW) for item in chosen]
    api = api_as(office)
    granted = api.post("/bulk/grant", json=body(chosen[:2])).get_json()
    refused = api.post("/bulk/refuse", json=body(chosen[2:], note="不符合延期条件")).get_json()
    assert (granted["done"], refused["done"]) == (2, 2)
    db.session.expire_all()
    assert [r.status for r in requests] == [ExtensionStatus.GRANTED] * 2 + [ExtensionStatus.REFUSED] * 2
    assert [item.due_date for item in chosen] == [date(2023, 9, 30)] * 2 + [date(2023, 6, 30)] * 2


def test_an_item_with_no_request_waiting_is_refused_in_the_rules_words(api_as: Api, office: User):
    (item,) = plan_items(1, ItemStatus.IN_PROGRESS)
    result = api_as(office).post("/bulk/grant", json=body([item])).get_json()["results"][0]
    assert result == {"id": item.id, "ok": False,
                      "error": {"code": "already_decided", "message": "没有待审批的延期申请"}}


def test_bulk_redate_moves_every_due_date_with_the_reason_audited(api_as: Api, office: User):
    chosen = plan_items(3, ItemStatus.IN_PROGRESS)
    answer = api_as(office).post("/bulk/redate", json=body(chosen, due_date="2024-06-30", reason="统一调整"))
    assert answer.get_json()["done"] == 3
    db.session.expire_all()
    assert {item.due_date for item in chosen} == {date(2024, 6, 30)}
    reasons = db.session.scalars(sa.select(Event.after).where(
        Event.action == "item.edit", Event.item_id.in_([item.id for item in chosen]))).all()
    assert [after["reason"] for after in reasons] == ["统一调整"] * 3


def test_bulk_reassign_gives_every_item_the_new_lead_unit(api_as: Api, office: User, unit,
                                                          make_item: Callable[..., WorkItem]):
    chosen = [make_item("sfj"), make_item("sfj", status=ItemStatus.IN_PROGRESS)]
    gaj = unit("gaj")
    answer = api_as(office).post("/bulk/reassign", json=body(chosen, lead_unit_id=gaj.id)).get_json()
    assert answer["done"] == 2
    db.session.expire_all()
    assert {item.unit_id for item in chosen} == {gaj.id}


def test_a_plan_item_is_not_reassigned_to_a_unit_carrying_its_twin(api_as: Api, office: User):
    """The shipped plan gives one task's item to several units: moving one onto another of them is refused in
    words for that item alone (it was a 500 from the database's unique key, one at a time too)."""
    item = db.session.scalars(sa.select(WorkItem).where(WorkItem.template_id.is_not(None)).order_by(WorkItem.id)).first()
    assert item is not None
    twin = db.session.scalars(sa.select(WorkItem).where(
        WorkItem.template_id == item.template_id, WorkItem.recurrence_key == item.recurrence_key,
        WorkItem.id != item.id)).first()
    assert twin is not None
    api = api_as(office)
    result = api.post("/bulk/reassign", json=body([item], lead_unit_id=twin.unit_id)).get_json()["results"][0]
    assert result["error"]["code"] == "unit_already_carries"
    one = api.put(f"/items/{item.id}/units", json={"lead_unit_id": twin.unit_id, "cooperating_unit_ids": [],
                                                   "version": item.version})
    assert_error(one, 422, "unit_already_carries")


def test_bulk_cannot_do_what_one_at_a_time_refuses(api_as: Api, office: User, make_item: Callable[..., WorkItem]):
    submitted = make_item("sfj", status=ItemStatus.SUBMITTED)
    in_progress = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    api = api_as(office)
    one = api.post(f"/items/{in_progress.id}/review", json={"decision": "approve", "version": in_progress.version})
    one_error = assert_error(one, 422)

    answer = api.post("/bulk/approve", json=body([submitted, in_progress])).get_json()

    assert [r["ok"] for r in answer["results"]] == [True, False]
    assert answer["results"][1]["error"] == {"code": one_error["code"], "message": one_error["message"]}


def test_a_unit_admin_cannot_use_the_bulk_endpoints(api_as: Api, sfj_admin: User,
                                                   make_item: Callable[..., WorkItem]):
    """Even on an item its own unit leads, and whatever the body: 403 before anything is read."""
    item = make_item("sfj", status=ItemStatus.SUBMITTED)
    api = api_as(sfj_admin)
    before = event_count()
    for action in ("approve", "return", "grant", "refuse", "redate", "reassign"):
        assert_error(api.post(f"/bulk/{action}", json=body([item], reason="x")), 403)
        assert_error(api.post(f"/bulk/{action}", data="{", content_type="application/json"), 403)
    assert event_count() == before


def test_a_leader_cannot_use_the_bulk_endpoints(api_as: Api, leader: User):
    assert_error(api_as(leader).post("/bulk/approve", json={"items": []}), 403)


def test_malformed_json_is_400_and_changes_nothing(api_as: Api, office: User):
    assert_error(api_as(office).post("/bulk/approve", data='{"items": [', content_type="application/json"), 400)


def test_unknown_fields_are_refused_at_the_top_and_per_item(api_as: Api, office: User):
    (item,) = plan_items(1, ItemStatus.SUBMITTED)
    api = api_as(office)
    before = event_count()
    top = assert_error(api.post("/bulk/approve", json=body([item], reason="多余")), 422)
    assert "reason" in top["errors"]
    inner = assert_error(api.post("/bulk/approve", json={"items": [{"id": item.id, "version": item.version,
                                                                    "status": "done"}]}), 422)
    assert inner["errors"] == {"items.0.status": ["未知字段"]}
    assert event_count() == before


@pytest.mark.parametrize("items", [[], [{"id": 1}], [{"id": "1", "version": 1}], "1,2", None])
def test_an_empty_or_malformed_list_is_422(api_as: Api, office: User, items: object):
    assert_error(api_as(office).post("/bulk/approve", json={"items": items}), 422)


def test_a_missing_reason_or_date_is_422(api_as: Api, office: User):
    (item,) = plan_items(1, ItemStatus.SUBMITTED)
    api = api_as(office)
    assert_error(api.post("/bulk/return", json=body([item])), 422)
    assert_error(api.post("/bulk/return", json=body([item], reason="")), 422)
    assert_error(api.post("/bulk/refuse", json=body([item])), 422)
    assert_error(api.post("/bulk/redate", json=body([item], reason="调整")), 422)
    assert_error(api.post("/bulk/reassign", json=body([item])), 422)


def test_more_items_than_the_limit_are_refused_whole(api_as: Api, office: User):
    too_many = {"items": [{"id": n, "version": 1} for n in range(1, limits.BULK_ITEMS + 2)]}
    api = api_as(office)
    before = event_count()
    refusal = assert_error(api.post("/bulk/approve", json=too_many), 422)
    assert str(limits.BULK_ITEMS) in str(refusal["errors"]["items"])
    assert event_count() == before


def test_an_item_named_twice_refuses_the_whole_list(api_as: Api, office: User):
    chosen = plan_items(2, ItemStatus.SUBMITTED)
    sent = body(chosen)
    sent["items"].append({"id": chosen[0].id, "version": chosen[0].version})  # type: ignore[attr-defined]
    api = api_as(office)
    before = event_count()
    refusal = assert_error(api.post("/bulk/approve", json=sent), 422, "duplicate_items")
    assert str(chosen[0].id) in refusal["message"]
    assert event_count() == before


def test_an_item_that_does_not_exist_is_refused_alone(api_as: Api, office: User):
    (item,) = plan_items(1, ItemStatus.SUBMITTED)
    answer = api_as(office).post("/bulk/approve", json={"items": [{"id": 2**31 - 1, "version": 1},
                                                                  {"id": item.id, "version": item.version}]})
    results = answer.get_json()["results"]
    assert results[0]["error"]["code"] == "item_not_found"
    assert results[1]["ok"]


def test_refusals_speak_english_when_asked(api_as: Api, office: User):
    (item,) = plan_items(1, ItemStatus.IN_PROGRESS)
    answer = api_as(office).post("/bulk/approve", json=body([item]), headers={"Accept-Language": "en"})
    assert answer.get_json()["results"][0]["error"]["message"].startswith("The item is in progress")
