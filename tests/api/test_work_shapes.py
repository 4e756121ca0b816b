"""The work shapes through the API: ad-hoc items, cooperating units, splitting, person responsible, cancelling,
instructions (issue 12). Bad input is a 4xx and changes nothing."""
from __future__ import annotations

from datetime import date

import pytest
from tests.api.api_helpers import NOW, assert_error
from tests.intake_helpers import forty_rows, sheet

from tracker.extensions import db
from tracker.models import ItemSource, Role, WorkItem
from tracker.services.work import items, splitting


@pytest.fixture
def ad_hoc(plan, office, unit):
    return items.create_ad_hoc(actor=office, plan=plan, source=ItemSource.HIGHER_LEVEL, source_ref="省办〔2023〕5号",
                               title="专项检查", description="按省里要求", due_date=date(2023, 6, 30),
                               lead=unit("jiaqu"), cooperating=[unit("sfj")], now=NOW)


def test_office_creates_an_ad_hoc_item_with_a_cooperating_unit(api_as, office, unit):
    response = api_as(office).post("/ad-hoc-items", json={
        "source": "meeting", "source_ref": "常务会议 2023-04-01", "title": "会议交办事项", "due_date": "2023-05-31",
        "lead_unit_id": unit("jiaqu").id, "cooperating_unit_ids": [unit("sfj").id]})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["task_id"] is None and body["source"] == "meeting"
    assert [part["unit_name"] for part in body["cooperating_units"]] == ["市司法局"]


@pytest.mark.parametrize("body, field", [
    ({"source": "rumour"}, "source"),
    ({"lead_unit_id": 999999}, "lead_unit_id"),
    ({"cooperating_unit_ids": [999999]}, "cooperating_unit_ids"),
    ({"due_date": "2022-01-01"}, "due_date"),
    ({"title": ""}, "title"),
])
def test_bad_ad_hoc_input_is_refused_and_writes_nothing(api_as, office, unit, body, field):
    before = db.session.query(WorkItem).count()
    response = api_as(office).post("/ad-hoc-items", json={
        "source": "meeting", "title": "事项", "due_date": "2023-05-31", "lead_unit_id": unit("jiaqu").id} | body)
    assert_error(response, 422)
    assert field in response.get_json().get("errors", {}), response.get_json()
    assert db.session.query(WorkItem).count() == before


def test_a_county_splits_reviews_its_township_and_is_refused_on_another_countys(api_as, make_user, ad_hoc, unit):
    county, other = make_user(Role.UNIT_ADMIN, "jiaqu"), make_user(Role.UNIT_ADMIN, "yiqu")
    response = api_as(county).post(f"/items/{ad_hoc.id}/split", json={"parts": [
        {"unit_id": unit("jiaqu_dongcheng").id, "title": "东城检查", "due_date": "2023-06-15"}]})
    assert response.status_code == 201, response.get_json()
    child = db.session.get(WorkItem, response.get_json()[0]["id"])
    assert child.parent_id == ad_hoc.id
    assert api_as(other).get(f"/items/{child.id}").status_code == 404
    assert_error(api_as(county).post(f"/items/{ad_hoc.id}/split", json={"parts": [
        {"unit_id": unit("yiqu_nanhu").id, "title": "南湖", "due_date": "2023-06-15"}]}), 422)
    assert api_as(county).get(f"/items/{child.id}").get_json()["parent_id"] == ad_hoc.id


def test_leader_writes_an_instruction_others_cannot(api_as, make_user, ad_hoc, office):
    leader = make_user(Role.LEADER, "city")
    assert api_as(leader).post(f"/items/{ad_hoc.id}/instructions", json={"text": "抓紧办理"}).status_code == 201
    assert_error(api_as(office).post(f"/items/{ad_hoc.id}/instructions", json={"text": "办公室"}), 403)
    listed = api_as(office).get(f"/items/{ad_hoc.id}/instructions").get_json()
    assert [entry["text"] for entry in listed] == ["抓紧办理"]
    mine = api_as(leader).get("/me/instructed").get_json()
    assert [(entry["kind"], entry["item_id"]) for entry in mine] == [("instruction", ad_hoc.id)]


def test_office_moves_a_due_date_only_with_a_reason(api_as, office, ad_hoc):
    client = api_as(office)
    assert_error(client.patch(f"/items/{ad_hoc.id}", json={"due_date": "2023-07-31", "version": ad_hoc.version}),
                 422)
    response = client.patch(f"/items/{ad_hoc.id}", json={"due_date": "2023-07-31", "reason": "等待省里部署",
                                                         "version": ad_hoc.version})
    assert response.status_code == 200
    assert response.get_json()["original_due_date"] == "2023-06-30"


def test_a_cancelled_child_is_kept_with_its_reason(api_as, make_user, ad_hoc, unit):
    county = make_user(Role.UNIT_ADMIN, "jiaqu")
    (child,) = splitting.split(ad_hoc, actor=county, now=NOW, parts=[
        splitting.Part(unit("jiaqu_xicheng"), "西城", date(2023, 6, 1))])
    assert_error(api_as(county).post(f"/items/{child.id}/cancel", json={"reason": "", "version": child.version}),
                 422)
    response = api_as(county).post(f"/items/{child.id}/cancel", json={"reason": "无此问题",
                                                                        "version": child.version})
    assert response.status_code == 200
    assert response.get_json()["cancel_reason"] == "无此问题"


@pytest.mark.parametrize("value", ["三", "3次", "２", "-1", "1e3"])
def test_a_count_parameter_accepts_only_whole_numbers_and_changes_nothing(api_as, office, plan, value):
    param = next(p for t in plan.tasks for p in t.parameters if p.unit_label == "次")
    response = api_as(office).patch(f"/plans/{plan.id}/parameters",
                                    json={"parameters": [{"id": param.id, "value": value}]})
    assert_error(response, 422, "parameter_not_a_number")
    assert param.value is None


def test_a_rate_parameter_takes_a_number_up_to_100(api_as, office, plan):
    param = next(p for t in plan.tasks for p in t.parameters if p.unit_label == "%")
    client = api_as(office)
    assert_error(client.patch(f"/plans/{plan.id}/parameters", json={"parameters": [{"id": param.id,
                                                                                     "value": "101"}]}), 422)
    assert client.patch(f"/plans/{plan.id}/parameters",
                        json={"parameters": [{"id": param.id, "value": "99.5"}]}).status_code == 200


def test_the_office_dry_runs_then_commits_a_sheet_through_the_api(api_as, office, make_user):
    client = api_as(office)
    dry = client.post("/intake/tasks", data={"file": (sheet(forty_rows()[:3]), "fenjie.xlsx")})
    assert dry.status_code == 200, dry.get_json()
    assert dry.get_json()["counts"]["created"] == 3 and not dry.get_json()["committed"]
    bad = forty_rows()[:3]
    bad[1][2] = "不存在的局"
    refused = client.post("/intake/tasks", data={"file": (sheet(bad), "fenjie.xlsx"), "commit": "true"})
    assert_error(refused, 422, "intake_refused")
    done = client.post("/intake/tasks", data={"file": (sheet(forty_rows()[:3]), "fenjie.xlsx"), "commit": "true"})
    assert done.get_json()["committed"] and done.get_json()["counts"]["created"] == 3
    assert client.get("/intake/tasks/template").status_code == 200
    assert_error(api_as(make_user(Role.UNIT_ADMIN, "sfj")).get("/intake/tasks/template"), 403)


def test_a_county_names_cooperating_units_on_its_townships_part_only_inside_its_own_tree(api_as, make_user,
                                                                                        ad_hoc, unit):
    """It gave another county and the office access to its child item (issue 19 point 8): 200, and the other
    county's admin then read it, was notified and reported progress on it."""
    county, other = make_user(Role.UNIT_ADMIN, "jiaqu"), make_user(Role.UNIT_ADMIN, "yiqu")
    (child,) = splitting.split(ad_hoc, actor=county, now=NOW, parts=[
        splitting.Part(unit("jiaqu_dongcheng"), "东城检查", date(2023, 6, 15))])
    db.session.commit()
    version = child.version
    for outsiders in ([unit("yiqu").id], [unit("office").id], [unit("jiaqu_xicheng").id, unit("yiqu_nanhu").id]):
        response = api_as(county).put(f"/items/{child.id}/units", json={
            "lead_unit_id": unit("jiaqu_dongcheng").id, "cooperating_unit_ids": outsiders, "version": version})
        assert_error(response, 422, "unit_not_subordinate")
        assert "cooperating_unit_ids" in response.get_json()["errors"]
        db.session.expire_all()
        assert db.session.get(WorkItem, child.id).cooperators == [] and child.version == version
    assert api_as(other).get(f"/items/{child.id}").status_code == 404
    inside = api_as(county).put(f"/items/{child.id}/units", json={
        "lead_unit_id": unit("jiaqu_dongcheng").id, "cooperating_unit_ids": [unit("jiaqu_xicheng").id],
        "version": version})
    assert inside.status_code == 200, inside.get_json()
    assert [part["unit_name"] for part in inside.get_json()["cooperating_units"]] == ["西城街道"]
