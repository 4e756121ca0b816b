"""Scopes (issue 19, points 8 and 9): a county grants no one outside its own tree access to the items it split;
a read-only leader hears 403 for every write whatever the item's state; an item's `offers` say what the caller
may do, in the OpenAPI document too."""
from __future__ import annotations

from datetime import date

import pytest
from tests.api.api_helpers import NOW, assert_error

from tracker.extensions import db
from tracker.models import ItemSource, ItemStatus, Role
from tracker.services.work import items, splitting


@pytest.fixture
def split_child(plan, office, unit, make_user):
    county = make_user(Role.UNIT_ADMIN, "jiaqu")
    parent = items.create_ad_hoc(actor=office, plan=plan, source=ItemSource.HIGHER_LEVEL, source_ref="省办〔2023〕5号",
                                 title="专项检查", description="", due_date=date(2023, 6, 30), lead=unit("jiaqu"),
                                 cooperating=[], now=NOW)
    (child,) = splitting.split(parent, actor=county, now=NOW, parts=[
        splitting.Part(unit("jiaqu_dongcheng"), "东城检查", date(2023, 6, 15))])
    return county, child


def test_a_county_cannot_name_another_county_or_the_office_as_cooperating_on_its_child(api_as, make_user, unit,
                                                                                      split_child):
    """On be448bd this answered 200: 乙区's admin then read the item, was notified and posted progress."""
    county, child = split_child
    other = make_user(Role.UNIT_ADMIN, "yiqu")
    version = child.version
    for outsider in ("yiqu", "office"):
        response = api_as(county).put(f"/items/{child.id}/units", json={
            "lead_unit_id": unit("jiaqu_dongcheng").id, "version": version,
            "cooperating_unit_ids": [unit("jiaqu_xicheng").id, unit(outsider).id]})
        assert_error(response, 422, "unit_not_subordinate")
        assert "cooperating_unit_ids" in response.get_json()["errors"]
    db.session.expire_all()
    assert child.cooperators == [] and child.version == version
    assert api_as(other).get(f"/items/{child.id}").status_code == 404
    assert api_as(other).post(f"/items/{child.id}/updates", data={"text": "冒充"}).status_code == 404


def test_a_county_names_a_township_of_its_own_and_the_office_anyone(api_as, office, unit, split_child):
    county, child = split_child
    response = api_as(county).put(f"/items/{child.id}/units", json={
        "lead_unit_id": unit("jiaqu_dongcheng").id, "version": child.version,
        "cooperating_unit_ids": [unit("jiaqu_xicheng").id]})
    assert response.status_code == 200, response.get_json()
    response = api_as(office).put(f"/items/{child.id}/units", json={
        "lead_unit_id": unit("jiaqu_dongcheng").id, "version": response.get_json()["version"],
        "cooperating_unit_ids": [unit("jiaqu_xicheng").id, unit("sfj").id]})
    assert response.status_code == 200, response.get_json()
    assert {p["unit_name"] for p in response.get_json()["cooperating_units"]} == {"市司法局", "西城街道"}


@pytest.mark.parametrize("status", list(ItemStatus))
def test_a_leader_reviewing_an_item_in_any_state_hears_403(api_as, leader, make_item, status):
    """On be448bd a leader reviewing an item not submitted heard 422 invalid_transition: the state was checked
    before the permission, telling a read-only role about the workflow."""
    item = make_item("sfj", status=status)
    for decision in ("approve", "return"):
        assert_error(api_as(leader).post(f"/items/{item.id}/review", json={
            "decision": decision, "reason": "理由", "version": item.version}), 403, "read_only")
    assert_error(api_as(leader).post(f"/items/{item.id}/move", json={"to": "done", "version": item.version}), 403,
                 "read_only")


def test_an_item_and_a_board_card_carry_what_the_caller_may_do(api_as, sfj_admin, sfj_member, office, make_item):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    mine = api_as(sfj_admin).get(f"/items/{item.id}").get_json()["offers"]
    assert mine["moves"] == [{"to": "submitted", "action": "submit", "note": "report", "evidence": "required"}]
    assert mine["reorder"] and {"progress", "ask_extension", "comment"} <= set(mine["actions"])
    assert "edit" not in mine["actions"]
    member = api_as(sfj_member).get(f"/items/{item.id}").get_json()["offers"]
    assert member["moves"] == [] and "split" not in member["actions"]
    office_view = api_as(office).get(f"/items/{item.id}").get_json()["offers"]
    assert office_view["moves"] == [] and {"edit", "cancel", "set_units"} <= set(office_view["actions"])
    board = api_as(sfj_member).get("/board?status=in_progress").get_json()
    cards = {card["id"]: card for lane in board["lanes"] for column in lane["columns"] for card in column["cards"]}
    assert cards[item.id]["offers"] == {"moves": [], "reorder": True}


def test_the_openapi_document_describes_the_offers(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert "offers" in schemas["WorkItemOut"]["properties"] and "offers" in schemas["ListedCardOut"]["properties"]
    assert {"moves", "reorder", "actions"} <= set(schemas["OffersOut"]["properties"])
    assert {"to", "action", "note", "evidence"} <= set(schemas["MoveOfferOut"]["properties"])
