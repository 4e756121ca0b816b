"""Indicators through the API: a unit reports its figure, the office accepts or returns it, outcomes say where each
unit stands; bad input is a 422 (a stale version a 409) and changes nothing."""
from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from tests.api.api_helpers import ApiClient, assert_error

from tracker.extensions import db
from tracker.models import Event, Indicator, IndicatorReport, Notification, Role, User

PDF = b"%PDF-1.4\n%figure\n"


def state() -> tuple[int, int, int]:
    """Reports, audit events and notifications: what a refused request must leave as it was."""
    return tuple(db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()
                 for model in (IndicatorReport, Event, Notification))  # type: ignore[return-value]


@pytest.fixture
def sfj(api_as: Callable[[User | None], ApiClient], make_user: Callable[..., User]) -> ApiClient:
    return api_as(make_user(Role.UNIT_ADMIN, "sfj"))


@pytest.fixture
def office_api(api_as: Callable[[User | None], ApiClient], office: User) -> ApiClient:
    return api_as(office)


def report(client: ApiClient, indicator: Indicator, **fields: Any) -> Any:
    return client.post(f"/indicators/{indicator.id}/reports", data={"period": "2023", "value": "97.5", **fields})


def test_a_unit_reports_with_evidence_and_the_office_accepts_at_the_version_it_read(sfj, office_api, filing):
    created = report(sfj, filing, note="全年备案 40 件,审查 39 件", files=[(io.BytesIO(PDF), "统计表.pdf")])
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["value"], body["status"], body["seq"], body["attachments"][0]["original_name"]) == (
        "97.5", "submitted", 1, "统计表.pdf")
    pending = office_api.get(f"/indicators/outcomes?indicator={filing.id}&state=pending").get_json()
    assert [(o["unit_id"], o["actual"], o["report_id"]) for o in pending] == [(body["unit_id"], "97.5", body["id"])]

    accepted = office_api.post(f"/indicator-reports/{body['id']}/decision",
                               json={"decision": "accept", "version": body["version"]})
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["status"] == "accepted"
    outcome = office_api.get(f"/indicators/outcomes?indicator={filing.id}&unit={body['unit_id']}").get_json()
    assert [o["state"] for o in outcome] == ["no_target"]  # the office has not set X yet


def test_a_unit_reads_only_its_own_outcomes(sfj, api_as, make_user, filing):
    gaj = api_as(make_user(Role.UNIT_ADMIN, "gaj")).get("/indicators/outcomes").get_json()
    mine = sfj.get("/indicators/outcomes").get_json()
    assert len({o["unit_id"] for o in gaj}) == 1 and len({o["unit_id"] for o in mine}) == 1
    assert {o["unit_id"] for o in gaj} != {o["unit_id"] for o in mine}


def test_the_indicators_say_their_target_direction_periods_and_reporting_units(sfj, filing):
    (found,) = [i for i in sfj.get("/indicators?task=6").get_json()]
    assert (found["key"], found["direction"], found["target"], found["periods"], found["measure"]) == (
        "filing_review_rate", "at_least", None, ["2023"], "%")
    assert len(found["reporting_unit_ids"]) >= 1


@pytest.mark.parametrize("fields, field", [
    ({"value": "abc"}, "value"), ({"value": "1e3"}, "value"), ({"value": "١٢"}, "value"),
    ({"value": "-5"}, "value"), ({"value": "1.23456"}, "value"), ({"value": ""}, "value"),
    ({"period": "2023-Q5"}, "period"), ({"period": "23"}, "period"), ({"weight": "2"}, "weight"),
    ({"note": "a\x00b"}, "note")])
def test_bad_figures_are_refused_and_change_nothing(sfj, filing, fields, field):
    before = state()
    body = assert_error(report(sfj, filing, **fields), 422, "validation_error")
    assert field in body["errors"]
    assert state() == before


@pytest.mark.parametrize("period", ["2024", "2022", "2025", "2023-Q1"])
def test_a_period_not_yet_started_or_not_the_indicators_is_refused(sfj, filing, period):
    before = state()
    assert_error(report(sfj, filing, period=period), 422, "period_out_of_range")
    assert state() == before


def test_a_rate_over_100_is_refused(sfj, filing):
    before = state()
    assert_error(report(sfj, filing, value="100.5"), 422, "invalid_value")
    assert state() == before


@pytest.mark.parametrize("body", [
    {"decision": "accept", "version": "1"}, {"decision": "approve", "version": 1}, {"decision": "accept"},
    {"decision": "accept", "version": 1, "value": "100"}, {"decision": "accept", "version": True}])
def test_bad_decisions_are_refused_and_change_nothing(sfj, office_api, filing, body):
    figure = report(sfj, filing).get_json()
    before = state()
    assert_error(office_api.post(f"/indicator-reports/{figure['id']}/decision", json=body), 422, "validation_error")
    assert state() == before


def test_a_return_without_a_reason_is_refused(sfj, office_api, filing):
    figure = report(sfj, filing).get_json()
    before = state()
    assert_error(office_api.post(f"/indicator-reports/{figure['id']}/decision",
                                 json={"decision": "return", "reason": " ", "version": figure["version"]}),
                 422, "reason_required")
    assert state() == before


def test_deciding_on_a_figure_the_unit_replaced_meanwhile_is_409(sfj, office_api, filing):
    first = report(sfj, filing).get_json()
    report(sfj, filing, value="98")
    before = state()
    assert_error(office_api.post(f"/indicator-reports/{first['id']}/decision",
                                 json={"decision": "accept", "version": first["version"]}), 409, "stale_version")
    assert state() == before


def test_a_returned_figure_is_reported_again_and_the_history_keeps_both(sfj, office_api, filing):
    first = report(sfj, filing).get_json()
    returned = office_api.post(f"/indicator-reports/{first['id']}/decision", json={
        "decision": "return", "reason": "未附统计表", "version": first["version"]}).get_json()
    assert (returned["status"], returned["return_reason"]) == ("returned", "未附统计表")
    again = report(sfj, filing, value="99").get_json()
    assert again["seq"] == 2
    history = sfj.get(f"/indicators/{filing.id}/reports?period=2023").get_json()
    assert [(r["seq"], r["status"]) for r in history] == [(2, "submitted"), (1, "returned")]


@pytest.mark.parametrize("query", ["state=done", "start=2023-02-30", "unit=abc", "colour=red", "task=0",
                                   "start=9999-12-31"])
def test_bad_outcome_filters_are_422(sfj, query):
    assert_error(sfj.get(f"/indicators/outcomes?{query}"), 422, "validation_error")
