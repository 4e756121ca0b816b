"""Indicators: the plan's quantified targets, the figures units report per period, the office's decision, and
the state each unit's period is in (达标 / 未达标 / 未报送 / 待审核 / 未设目标)."""
from __future__ import annotations

import io
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from tracker.errors import Invalid, InvalidTransition, NotAllowed, NotFound, StaleVersion
from tracker.extensions import db
from tracker.models import (Attachment, Direction, Event, Indicator, IndicatorPeriod, IndicatorReport, Notification,
                            ReportStatus, Role, TaskParameter, Unit)
from tracker.services.assessment import indicator_reports, indicators
from tracker.services.plan import plans
from tracker.services.work import progress
from tracker.services.assessment.indicators import AWAITED, MET, NO_TARGET, NOT_MET, NOT_REPORTED, PENDING

IN_2024 = datetime(2024, 3, 1, 2, 0, tzinfo=timezone.utc)


def sh_time(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Asia/Shanghai"))
PDF = b"%PDF-1.4 figure"


@pytest.fixture
def storage(tmp_path: Path) -> progress.Storage:
    return progress.Storage(folder=tmp_path / "files", max_bytes=1 << 20)


def indicator(key: str) -> Indicator:
    return db.session.execute(sa.select(Indicator).where(Indicator.key == key)).scalar_one()


def set_target(office, plan, parameter_key: str, value: str | None) -> None:
    param = db.session.execute(sa.select(TaskParameter).where(TaskParameter.key == parameter_key)).scalar_one()
    plans.set_parameters(plan, actor=office, values={param.id: value}, now=IN_2024)


@pytest.fixture
def sfj_clerk(make_user):
    return make_user(Role.UNIT_MEMBER, "sfj")


@pytest.fixture
def reporting(storage, sfj_clerk):
    """市司法局's clerk reports a figure of an indicator for a period."""
    def send(key: str, period: str, value: str, *, actor=None, files=(), now=IN_2024) -> IndicatorReport:
        return indicator_reports.report(indicator(key), actor=actor or sfj_clerk, period=period, value=Decimal(value),
                                 note="说明", files=list(files), storage=storage, now=now)
    return send


def outcome(key: str, unit: Unit, period: str, *, now: datetime = IN_2024) -> indicators.Outcome:
    found = [o for o in indicators.outcomes(start=date(2023, 1, 1), end=date(2025, 12, 31), now=now,
                                            unit_ids=[unit.id])
             if o.indicator_key == key and o.period == period]
    assert len(found) == 1
    return found[0]


# --- the shipped plan ---------------------------------------------------------------------------------------

def test_every_quantified_target_of_the_shipped_plan_is_an_indicator(plan):
    found = {i.key: i for i in indicators.all_indicators(plan_id=plan.id)}
    assert len(found) == 16
    parameters = {i.target_parameter.key for i in found.values() if i.target_parameter is not None}
    assert parameters == set(db.session.scalars(sa.select(TaskParameter.key)))
    assert {k: (i.target_value, i.task.number) for k, i in found.items() if i.target_value is not None} == {
        "backbone_training": (1, 12), "all_staff_training": (1, 12), "professional_training_hours": (30, 12),
        "legal_training_hours": (30, 12), "rotation_rate": (100, 12), "head_appearance_ratio": (Decimal("33.33"), 16)}


def test_targets_the_plan_dates_are_reported_for_that_year_only(plan):
    assert [p.key for p in indicators.indicator_periods(indicator("filing_review_rate"))] == ["2023"]
    assert [p.key for p in indicators.indicator_periods(indicator("enforcement_satisfaction_rate"))] == ["2024"]
    assert [p.key for p in indicators.indicator_periods(indicator("lectures"))] == ["2023", "2024", "2025"]


def test_an_indicator_is_reported_by_the_units_its_plan_names(plan, unit):
    keys = [u.key for u in indicators.reporting_units(indicator("filing_review_rate"))]
    assert "sfj" in keys and "office" not in keys and "gaj" not in keys


# --- pure rules ---------------------------------------------------------------------------------------------

def test_quarters_end_on_their_last_day():
    assert [(p.start, p.end) for p in map(indicators.period_of, ["2024-Q1", "2024-Q2", "2024-Q4"])] == [
        (date(2024, 1, 1), date(2024, 3, 31)), (date(2024, 4, 1), date(2024, 6, 30)),
        (date(2024, 10, 1), date(2024, 12, 31))]
    assert indicators.period_of("2024").end == date(2024, 12, 31)


@pytest.mark.parametrize("key", ["2024-Q5", "24", "2024Q1", "2024-q1", "", "２０２４"])
def test_a_period_key_other_than_a_year_or_a_quarter_is_not_a_period(key):
    with pytest.raises(ValueError):
        indicators.period_of(key)


def test_quarterly_periods_lie_within_the_plan_and_the_indicators_years():
    found = indicators.periods(IndicatorPeriod.QUARTER, plan_start=date(2023, 4, 1), plan_end=date(2024, 12, 31),
                               last_year=2023)
    assert [p.key for p in found] == ["2023-Q2", "2023-Q3", "2023-Q4"]


@pytest.mark.parametrize("direction, target, actual, expected", [
    (Direction.AT_LEAST, "95", "95", MET), (Direction.AT_LEAST, "95", "94.99", NOT_MET),
    (Direction.AT_LEAST, "30", "31", MET), (Direction.AT_MOST, "5", "5", MET),
    (Direction.AT_MOST, "5", "5.01", NOT_MET), (Direction.AT_MOST, "5", "0", MET)])
def test_a_figure_meets_its_target_on_the_good_side_of_it_the_target_included(direction, target, actual, expected):
    assert indicators.judge(direction, Decimal(target), Decimal(actual)) == expected


@pytest.mark.parametrize("status, target, overdue, expected", [
    (None, "1", True, NOT_REPORTED), (ReportStatus.RETURNED, "1", True, NOT_REPORTED),
    (None, "1", False, AWAITED), (ReportStatus.RETURNED, "1", False, AWAITED),
    (ReportStatus.SUBMITTED, "1", True, PENDING), (ReportStatus.ACCEPTED, None, True, NO_TARGET),
    (ReportStatus.ACCEPTED, "1", False, MET), (ReportStatus.ACCEPTED, "3", True, NOT_MET),
    (None, None, True, NOT_REPORTED)])
def test_the_state_of_a_period_follows_its_newest_report_and_its_due_day(status, target, overdue, expected):
    assert indicators.state_of(status, direction=Direction.AT_LEAST, target=Decimal(target) if target else None,
                               actual=Decimal(2), overdue=overdue) == expected


def test_a_figure_missing_is_awaited_until_its_due_day_and_not_reported_from_the_next(plan, unit):
    """The shipped plan gives units 31 days after a period (indicator_due_days): 2023's figures by 31 January."""
    on_the_day = outcome("filing_review_rate", unit("sfj"), "2023", now=sh_time(2024, 1, 31, 23, 59))
    assert (on_the_day.state, on_the_day.due_on) == (AWAITED, date(2024, 1, 31))
    assert outcome("filing_review_rate", unit("sfj"), "2023", now=sh_time(2024, 2, 1, 0, 1)).state == NOT_REPORTED
    mid_year = outcome("lectures", unit("sfj"), "2024", now=IN_2024)
    assert mid_year.state == AWAITED  # a year under way is not yet "not reported"


# --- reporting and deciding ---------------------------------------------------------------------------------

def test_a_unit_reports_its_figure_with_evidence_and_the_office_is_told(reporting, unit, storage, sfj_clerk):
    sent = reporting("filing_review_rate", "2023", "98.5",
                     files=[progress.Upload("备案审查统计.pdf", io.BytesIO(PDF))])
    assert sent.status == ReportStatus.SUBMITTED and sent.seq == 1
    (evidence,) = db.session.scalars(sa.select(Attachment).where(Attachment.indicator_report_id == sent.id))
    assert evidence.item_id is None and evidence.original_name == "备案审查统计.pdf"
    assert progress.attachment_for(evidence.id, actor=sfj_clerk) == evidence
    event = db.session.scalars(sa.select(Event).order_by(Event.id.desc())).first()
    assert (event.action, event.entity_id, event.after["value"]) == ("indicator.report", sent.id, "98.5")
    told = db.session.scalars(sa.select(Notification).where(Notification.kind == "indicator_submitted")).one()
    assert told.unit_id == unit("office").id and "市司法局" in told.text
    assert outcome("filing_review_rate", unit("sfj"), "2023").state == PENDING


def test_another_units_evidence_of_a_figure_is_not_found(reporting, make_user):
    sent = reporting("filing_review_rate", "2023", "98.5", files=[progress.Upload("a.pdf", io.BytesIO(PDF))])
    (evidence,) = db.session.scalars(sa.select(Attachment).where(Attachment.indicator_report_id == sent.id))
    with pytest.raises(NotFound):
        progress.attachment_for(evidence.id, actor=make_user(Role.UNIT_ADMIN, "gaj"))
    assert progress.attachment_for(evidence.id, actor=make_user(Role.LEADER, "city")) == evidence


def test_the_office_accepts_a_figure_and_it_meets_or_misses_the_target_the_office_set(
        reporting, office, plan, unit):
    sent = reporting("filing_review_rate", "2023", "98.5")
    indicator_reports.decide(sent, actor=office, decision="accept", expected_version=sent.version, now=IN_2024)
    assert outcome("filing_review_rate", unit("sfj"), "2023").state == NO_TARGET
    set_target(office, plan, "filing_review_rate", "100")
    found = outcome("filing_review_rate", unit("sfj"), "2023")
    assert (found.state, found.target, found.actual, found.report_id) == (NOT_MET, 100, Decimal("98.5"), sent.id)
    set_target(office, plan, "filing_review_rate", "98")
    assert outcome("filing_review_rate", unit("sfj"), "2023").state == MET


def test_a_returned_figure_is_not_reported_until_the_unit_reports_again_and_history_keeps_both(
        reporting, office, unit, sfj_clerk):
    first = reporting("head_appearance_ratio", "2023", "20")
    indicator_reports.decide(first, actor=office, decision="return", reason="缺少案件统计表", expected_version=first.version,
                      now=IN_2024)
    returned = outcome("head_appearance_ratio", unit("sfj"), "2023")
    assert (returned.state, returned.actual, returned.report_id) == (NOT_REPORTED, None, first.id)
    told = db.session.scalars(sa.select(Notification).where(Notification.kind == "indicator_returned")).one()
    assert told.unit_id == unit("sfj").id and "缺少案件统计表" in told.text
    second = reporting("head_appearance_ratio", "2023", "40")
    history = indicator_reports.history(indicator("head_appearance_ratio"), unit=unit("sfj"), period="2023", actor=sfj_clerk)
    assert [(e.report.seq, e.report.status, e.report.value) for e in history] == [
        (2, ReportStatus.SUBMITTED, 40), (1, ReportStatus.RETURNED, 20)]
    indicator_reports.decide(second, actor=office, decision="accept", expected_version=second.version, now=IN_2024)
    assert outcome("head_appearance_ratio", unit("sfj"), "2023").state == MET


def test_reporting_again_before_the_office_decides_supersedes_the_pending_figure(reporting, office):
    first = reporting("head_appearance_ratio", "2023", "20")
    seen = first.version
    reporting("head_appearance_ratio", "2023", "35")
    assert first.status == ReportStatus.SUPERSEDED
    with pytest.raises(StaleVersion):
        indicator_reports.decide(first, actor=office, decision="accept", expected_version=seen, now=IN_2024)
    with pytest.raises(InvalidTransition):
        indicator_reports.decide(first, actor=office, decision="accept", expected_version=first.version, now=IN_2024)


def test_two_reports_racing_for_the_same_period_give_a_conflict_not_a_fork(reporting, monkeypatch):
    first = reporting("head_appearance_ratio", "2023", "20")
    monkeypatch.setattr(indicator_reports, "newest_report", lambda *args, **kwargs: None)  # read before the first landed
    with pytest.raises(StaleVersion):
        reporting("head_appearance_ratio", "2023", "35")
    assert db.session.scalars(sa.select(IndicatorReport)).all() == [first]


def test_an_accepted_figure_is_final(reporting, office):
    sent = reporting("head_appearance_ratio", "2023", "50")
    indicator_reports.decide(sent, actor=office, decision="accept", expected_version=sent.version, now=IN_2024)
    with pytest.raises(Invalid) as refused:
        reporting("head_appearance_ratio", "2023", "60")
    assert refused.value.code == "already_accepted"


def test_a_return_needs_a_reason_and_only_the_office_decides(reporting, office, make_user):
    sent = reporting("head_appearance_ratio", "2023", "50")
    with pytest.raises(Invalid):
        indicator_reports.decide(sent, actor=office, decision="return", reason="  ", expected_version=sent.version,
                          now=IN_2024)
    for role, key in ((Role.UNIT_ADMIN, "sfj"), (Role.LEADER, "city")):
        with pytest.raises(NotAllowed):
            indicator_reports.decide(sent, actor=make_user(role, key), decision="accept", expected_version=sent.version,
                              now=IN_2024)
    assert sent.status == ReportStatus.SUBMITTED


def test_only_a_reporting_units_own_people_report_and_only_for_their_unit(reporting, make_user, office):
    for actor in (make_user(Role.UNIT_ADMIN, "gaj"), make_user(Role.LEADER, "city"), office):
        with pytest.raises(NotAllowed):  # 市公安局 is not a 司法行政部门; leaders and the office report nothing
            reporting("filing_review_rate", "2023", "90", actor=actor)
    assert db.session.execute(sa.select(sa.func.count()).select_from(IndicatorReport)).scalar_one() == 0


@pytest.mark.parametrize("period", ["2024", "2022", "2023-Q1", "2026"])
def test_a_period_not_started_or_not_the_indicators_is_refused(reporting, period):
    with pytest.raises(Invalid) as refused:
        reporting("lectures", period, "3", now=datetime(2023, 6, 1, tzinfo=timezone.utc))
    assert refused.value.code == "period_out_of_range"


def test_a_year_starts_at_midnight_in_the_plans_time_zone(reporting):
    new_year_in_shanghai = datetime(2023, 12, 31, 16, 0, tzinfo=timezone.utc)
    with pytest.raises(Invalid):
        reporting("lectures", "2024", "3", now=datetime(2023, 12, 31, 15, 59, tzinfo=timezone.utc))
    assert reporting("lectures", "2024", "3", now=new_year_in_shanghai).period == "2024"


@pytest.mark.parametrize("value", ["100.01", "-1", "1.00001"])
def test_a_rate_over_100_a_negative_figure_or_too_many_decimals_is_refused(reporting, value):
    with pytest.raises(Invalid):
        reporting("filing_review_rate", "2023", value)


@pytest.mark.parametrize("today, year", [(date(2024, 6, 30), "2023"), (date(2024, 12, 1), "2024"),
                                         (date(2025, 1, 20), "2024"), (date(2023, 4, 3), "2023"),
                                         (date(2027, 3, 1), "2025")])
def test_the_year_in_view_is_the_one_being_gathered_or_last_gathered_within_the_plan(plan, today, year):
    assert indicators.year_in_view(today) == year


# --- outcomes -----------------------------------------------------------------------------------------------

def test_outcomes_cover_every_reporting_unit_and_period_ending_in_the_window(plan, unit):
    found = indicators.outcomes(start=date(2023, 12, 31), end=date(2023, 12, 31), now=IN_2024)
    assert {o.period for o in found} == {"2023"}
    units = {u.id for u in indicators.reporting_units(indicator("filing_review_rate"))}
    assert {o.unit_id for o in found if o.indicator_key == "filing_review_rate"} == units
    assert all(o.state == NOT_REPORTED for o in found)
    assert indicators.outcomes(start=date(2024, 1, 1), end=date(2024, 12, 30), now=IN_2024) == []
    only = indicators.outcomes(start=date(2023, 1, 1), end=date(2025, 12, 31), now=IN_2024,
                               unit_ids=[unit("sfj").id])
    assert {o.unit_id for o in only} == {unit("sfj").id}
    assert "enforcement_satisfaction_rate" not in {o.indicator_key for o in only}  # 市司法局 is not an 执法部门


def test_a_unit_sees_its_own_outcomes_and_the_office_everyones(plan, unit, make_user, office):
    window = {"start": date(2023, 1, 1), "end": date(2023, 12, 31), "now": IN_2024}
    mine = indicators.outcomes_for(actor=make_user(Role.UNIT_MEMBER, "sfj"), **window)
    assert {o.unit_id for o in mine} == {unit("sfj").id}
    assert len(indicators.outcomes_for(actor=office, **window)) == len(indicators.outcomes(**window))


def test_outcomes_take_the_same_number_of_queries_whatever_the_number_of_units(plan, count_queries, unit):
    window = {"start": date(2023, 1, 1), "end": date(2025, 12, 31), "now": IN_2024}
    with count_queries() as before:
        few = indicators.outcomes(**window)
    for n in range(12):
        db.session.add(Unit(key=f"new_dept_{n}", name=f"新部门{n}", short_name=f"新部门{n}", kind="city_dept",
                            parent_id=unit("city").id, tags=["enforcement"], emails=[]))
    db.session.flush()
    with count_queries() as after:
        many = indicators.outcomes(**window)
    assert len(many) > len(few)
    assert len(after) == len(before)
