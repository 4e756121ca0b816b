"""The API of periodic reporting: rhythms read by all and set by the office, missed reports by who may see them,
and bad input refused with nothing changed."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from tests.api.api_helpers import assert_error

from tracker.extensions import db
from tracker.models import Event, ItemStatus, MissedReport, ReportingRhythm, Role


def rhythm_rows() -> tuple[int, int]:
    db.session.commit()
    return (db.session.execute(sa.select(sa.func.count()).select_from(ReportingRhythm)).scalar_one(),
            db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar_one())


def test_the_default_rhythm_shows_for_the_plan_and_every_group(api_as, leader, plan):
    body = api_as(leader).get(f"/plans/{plan.id}/reporting-rhythms").get_json()
    assert body[0] == {"plan_id": plan.id, "group_id": None, "name": plan.short_title, "frequency": "monthly",
                       "day": 25, "description": "每月 25 日前报送", "own": False, "since": None}
    assert len(body) == 1 + len(plan.groups) and all(r["frequency"] == "monthly" for r in body)


def test_the_office_sets_a_groups_rhythm_and_puts_it_back_on_the_plans(api_as, office, plan):
    client = api_as(office)
    group = plan.groups[0]
    response = client.put(f"/plans/{plan.id}/reporting-rhythms",
                          json={"group_id": group.id, "frequency": "quarterly", "day": 20})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() | {} == {"plan_id": plan.id, "group_id": group.id, "name": group.title,
                                        "frequency": "quarterly", "day": 20, "description": "每季度末月 20 日前报送",
                                        "own": True, "since": "2023-04-03"}
    back = client.put(f"/plans/{plan.id}/reporting-rhythms", json={"group_id": group.id, "frequency": None})
    assert back.get_json()["own"] is False and back.get_json()["frequency"] == "monthly"
    actions = db.session.scalars(sa.select(Event.action).where(Event.action == "reporting.rhythm")).all()
    assert len(actions) == 2


@pytest.mark.parametrize("body, field", [
    ({"frequency": "monthly", "day": 29}, "day"),
    ({"frequency": "monthly", "day": 0}, "day"),
    ({"frequency": "monthly"}, "day"),
    ({"frequency": "weekly", "day": 5}, "frequency"),
    ({"frequency": "monthly", "day": "２５"}, "day"),
    ({"frequency": None}, "frequency"),
    ({"day": 5}, "frequency"),
    ({"frequency": "monthly", "day": 5, "extra": 1}, "extra"),
])
def test_a_bad_rhythm_is_refused_and_changes_nothing(api_as, office, plan, body, field):
    client = api_as(office)
    before = rhythm_rows()
    response = client.put(f"/plans/{plan.id}/reporting-rhythms", json=body)
    error = assert_error(response, 422)
    assert field in error.get("errors", {}) or field in str(error.get("errors")), error
    assert rhythm_rows() == before


def test_a_group_of_another_plan_or_none_at_all_is_not_found(api_as, office, plan):
    client = api_as(office)
    before = rhythm_rows()
    assert_error(client.put(f"/plans/{plan.id}/reporting-rhythms", json={"group_id": 999_999, "frequency": "none"}),
                 404)
    assert_error(client.get("/plans/999999/reporting-rhythms"), 404)
    assert rhythm_rows() == before


@pytest.fixture
def missed(make_item, unit):
    ours, theirs = make_item(status=ItemStatus.IN_PROGRESS, title="我们的"), make_item("gaj", title="他们的")
    at = datetime(2023, 4, 26, 1, tzinfo=timezone.utc)
    db.session.add_all([MissedReport(item_id=ours.id, unit_id=unit("sfj").id, period="2023-04",
                                     due_on=date(2023, 4, 25), flagged_at=at),
                        MissedReport(item_id=ours.id, unit_id=unit("sfj").id, period="2023-05",
                                     due_on=date(2023, 5, 25), flagged_at=at),
                        MissedReport(item_id=theirs.id, unit_id=unit("gaj").id, period="2023-04",
                                     due_on=date(2023, 4, 25), flagged_at=at)])
    db.session.flush()
    return ours, theirs


def test_a_unit_sees_its_own_missed_reports_and_the_office_sees_all(api_as, make_user, office, leader, missed):
    ours, _theirs = missed
    mine = api_as(make_user(Role.UNIT_MEMBER, "sfj")).get("/missed-reports").get_json()
    assert [(m["item_title"], m["period"], m["unit_name"]) for m in mine] == [("我们的", "2023-05", "市司法局"),
                                                                             ("我们的", "2023-04", "市司法局")]
    for reader in (office, leader):
        assert len(api_as(reader).get("/missed-reports").get_json()) == 3
    gaj = api_as(make_user(Role.UNIT_ADMIN, "gaj")).get(f"/missed-reports?unit_id={ours.unit_id}").get_json()
    assert gaj == []


def test_missed_reports_filter_by_unit_and_deadline_range(api_as, office, missed, unit):
    client = api_as(office)
    april = client.get("/missed-reports?start=2023-04-01&end=2023-04-30").get_json()
    assert sorted(m["unit_name"] for m in april) == ["市公安局", "市司法局"]
    sfj = client.get(f"/missed-reports?unit_id={unit('sfj').id}&start=2023-05-01").get_json()
    assert [(m["period"], m["due_on"]) for m in sfj] == [("2023-05", "2023-05-25")]


@pytest.mark.parametrize("query", ["start=2023-13-01", "unit_id=abc", "unit_id=0", "end=9999-12-31",
                                   "limit=0", "unit_id=%EF%BC%91"])
def test_a_bad_missed_reports_query_is_refused(api_as, office, query):
    assert_error(api_as(office).get(f"/missed-reports?{query}"), 422)
