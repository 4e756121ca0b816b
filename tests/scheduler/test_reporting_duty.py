"""The periodic reporting duty: an item in progress whose lead unit posts nothing in a period is flagged 未按时报送
once by the daily scan, the unit is told once, and a replayed scheduler flags what a daily one would have.

Items made by `make_item` are signed at NOW (2023-04-03 10:00 Shanghai); the default rhythm is monthly, by the
25th, so April's reports are those posted from 03-26 to the end of 04-25.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from flask import current_app
import sqlalchemy as sa
from tests.conftest import closing_evidence
from tests.scheduler.sched_helpers import sh

from tracker.extensions import db
from tracker.models import (Digest, Event, ItemStatus, ItemUnit, MissedReport, Notification, ReportFrequency, Role,
                            Task, User, WorkItem)
from tracker.scheduler import jobs
from tracker.services.assessment import reporting_duty
from tracker.services.ledger import digests, escalation
from tracker.services.plan import reporting_rhythms
from tracker.services.trust import audit
from tracker.services.work import progress, workflow
from tracker.services.plan.reporting_rhythms import DEFAULT, Period, Rhythm, last_period


def flags(*items: WorkItem) -> list[tuple[int, str, date]]:
    return [(m.item_id, m.period, m.due_on) for m in db.session.scalars(
        sa.select(MissedReport).where(MissedReport.item_id.in_([i.id for i in items]))
        .order_by(MissedReport.item_id, MissedReport.due_on))]


@pytest.fixture
def scan(settings):
    def run(at: datetime) -> escalation.ScanResult:
        return escalation.scan(now=at, ladder=settings.ladder, timezone=settings.timezone)
    return run


@pytest.fixture
def report(app, make_user):
    """Post a progress update on an item as a user of its lead unit, at a given moment."""
    storage = progress.Storage(Path(app.config["TRACKER_UPLOAD_DIR"]), app.config["TRACKER_UPLOAD_MAX_BYTES"])
    clerks = {}

    def post(item: WorkItem, at: datetime) -> None:
        clerk = clerks.get(item.unit_id) or clerks.setdefault(item.unit_id, make_user(Role.UNIT_MEMBER, item.unit.key))
        progress.add_update(item, actor=clerk, text="本月进展", percent=40, files=[], storage=storage, now=at)
    return post


# --- the periods (pure) ------------------------------------------------------------------------------------

def test_a_monthly_period_is_over_the_day_after_its_deadline():
    assert last_period(DEFAULT, today=date(2024, 5, 25)) == Period("2024-04", date(2024, 4, 25), date(2024, 3, 25))
    assert last_period(DEFAULT, today=date(2024, 5, 26)) == Period("2024-05", date(2024, 5, 25), date(2024, 4, 25))
    assert last_period(DEFAULT, today=date(2024, 1, 3)) == Period("2023-12", date(2023, 12, 25),
                                                                  date(2023, 11, 25))


def test_a_quarterly_period_ends_on_a_day_of_the_quarters_last_month():
    quarterly = Rhythm(ReportFrequency.QUARTERLY, 10)
    assert last_period(quarterly, today=date(2024, 6, 10)) == Period("2024-Q1", date(2024, 3, 10), date(2023, 12, 10))
    assert last_period(quarterly, today=date(2024, 6, 11)) == Period("2024-Q2", date(2024, 6, 10), date(2024, 3, 10))
    assert last_period(quarterly, today=date(2024, 2, 1)) == Period("2023-Q4", date(2023, 12, 10), date(2023, 9, 10))


def test_a_rhythm_judges_no_deadline_before_the_day_it_was_set():
    quarterly = Rhythm(ReportFrequency.QUARTERLY, 10, since=date(2024, 5, 2))
    assert last_period(quarterly, today=date(2024, 6, 10)) is None
    assert last_period(quarterly, today=date(2024, 6, 11)).key == "2024-Q2"


def test_no_rhythm_means_no_period():
    assert last_period(Rhythm(ReportFrequency.NONE), today=date(2024, 6, 11)) is None


# --- the rule ----------------------------------------------------------------------------------------------

def test_an_item_reported_in_time_is_not_flagged(make_item, report, scan):
    item = make_item(status=ItemStatus.IN_PROGRESS)
    report(item, sh(2023, 4, 25, 23, 50))
    scan(sh(2023, 4, 26, 0, 10))
    assert flags(item) == []


def test_an_item_silent_for_a_period_is_flagged_once_and_audited_on_the_item(make_item, scan):
    item = make_item(status=ItemStatus.IN_PROGRESS)
    scan(sh(2023, 4, 25, 23, 0))
    assert flags(item) == []  # the deadline day is not over yet
    first = scan(sh(2023, 4, 26, 0, 10))
    scan(sh(2023, 4, 26, 9, 0))
    scan(sh(2023, 4, 27, 0, 10))
    assert flags(item) == [(item.id, "2023-04", date(2023, 4, 25))]
    assert first.records["missed_report"] == 1
    (event,) = db.session.scalars(sa.select(Event).where(Event.item_id == item.id,
                                                         Event.action == "item.missed_report"))
    assert event.after["period"] == "2023-04" and event.actor_label == "scheduler"
    assert audit.verify_chain().ok  # the batched events chain like any other


def test_a_late_report_does_not_erase_the_flag_and_counts_for_the_next_period(make_item, report, scan):
    item = make_item(status=ItemStatus.IN_PROGRESS)
    scan(sh(2023, 4, 26, 0, 10))
    report(item, sh(2023, 4, 28, 10))
    scan(sh(2023, 5, 26, 0, 10))
    assert flags(item) == [(item.id, "2023-04", date(2023, 4, 25))]
    assert reporting_duty.count_by_item([item.id]) == {item.id: 1}


def test_a_report_by_a_cooperating_unit_does_not_meet_the_lead_units_duty(app, make_item, make_user, scan, unit):
    led = make_item(status=ItemStatus.IN_PROGRESS)
    led.cooperators.append(ItemUnit(unit_id=unit("gaj").id))
    db.session.flush()
    storage = progress.Storage(Path(app.config["TRACKER_UPLOAD_DIR"]), app.config["TRACKER_UPLOAD_MAX_BYTES"])
    progress.add_update(led, actor=make_user(Role.UNIT_MEMBER, "gaj"), text="配合部分进展", percent=None, files=[],
                        storage=storage, now=sh(2023, 4, 20, 10))
    scan(sh(2023, 4, 26, 0, 10))
    assert flags(led) == [(led.id, "2023-04", date(2023, 4, 25))]
    assert reporting_duty.missed_reports(start=date(2023, 4, 25), end=date(2023, 4, 25))[0].unit_id == unit("sfj").id


@pytest.mark.parametrize("status", [ItemStatus.ASSIGNED, ItemStatus.SUBMITTED, ItemStatus.DONE])
def test_an_item_not_in_the_units_hands_at_the_deadline_owes_no_report(make_item, scan, status):
    item = make_item(status=status)
    scan(sh(2023, 4, 26, 0, 10))
    assert flags(item) == []


def test_an_item_approved_after_the_deadline_still_owed_that_period(make_item, office, scan):
    item = make_item(status=ItemStatus.IN_PROGRESS)
    submitter = db.session.scalars(sa.select(User).where(User.unit_id == item.unit_id,
                                                         User.role == Role.UNIT_ADMIN)).first()
    workflow.move(item, actor=submitter, to=ItemStatus.SUBMITTED, expected_version=item.version,
                  now=sh(2023, 5, 2, 10), note="办结报告", evidence=closing_evidence(current_app))
    workflow.move(item, actor=office, to=ItemStatus.DONE, expected_version=item.version, now=sh(2023, 5, 3, 10))
    scan(sh(2023, 5, 4, 9))
    scan(sh(2023, 5, 26, 9))
    assert flags(item) == [(item.id, "2023-04", date(2023, 4, 25))]  # silent in April; done before May's end


def test_periods_before_the_item_was_signed_do_not_count(make_item, scan):
    item = make_item(status=ItemStatus.IN_PROGRESS)
    scan(sh(2023, 4, 2, 9))  # March's deadline passed before the item was signed on 04-03
    scan(sh(2023, 3, 27, 9))
    assert flags(item) == []


def test_a_groups_rhythm_overrides_its_plans(make_item, plan, office, scan, now):
    first = make_item(status=ItemStatus.IN_PROGRESS, task_number=1)
    group_of_first = db.session.get(Task, first.task_id).group_id
    other_task = db.session.scalars(sa.select(Task).where(Task.plan_id == plan.id,
                                                          Task.group_id != group_of_first)).first()
    second = make_item(status=ItemStatus.IN_PROGRESS, task_number=other_task.number)
    reporting_rhythms.set_rhythm(plan, actor=office, group_id=None, frequency=ReportFrequency.QUARTERLY, day=10,
                                 now=now)
    reporting_rhythms.set_rhythm(plan, actor=office, group_id=group_of_first, frequency=ReportFrequency.NONE,
                                 day=None, now=now)
    scan(sh(2023, 4, 26, 0, 10))
    assert flags(first, second) == []  # quarterly now: nothing due in April
    scan(sh(2023, 6, 11, 0, 10))
    assert flags(first, second) == [(second.id, "2023-Q2", date(2023, 6, 10))]


def test_a_new_rhythm_never_flags_periods_that_ended_before_it_was_set(make_item, plan, office, scan):
    item = make_item(status=ItemStatus.IN_PROGRESS)
    scan(sh(2023, 4, 26, 9))  # April, by the default rhythm
    reporting_rhythms.set_rhythm(plan, actor=office, group_id=None, frequency=ReportFrequency.QUARTERLY, day=10,
                                 now=sh(2023, 5, 10, 15))
    scan(sh(2023, 5, 11, 9))  # the latest quarterly deadline, 03-10, came before the rhythm: nothing to judge
    scan(sh(2023, 6, 11, 9))
    assert flags(item) == [(item.id, "2023-04", date(2023, 4, 25)), (item.id, "2023-Q2", date(2023, 6, 10))]


def test_a_group_can_be_put_back_on_its_plans_rhythm(make_item, plan, office, scan, now):
    item = make_item(status=ItemStatus.IN_PROGRESS, task_number=1)
    group = db.session.get(Task, item.task_id).group_id
    reporting_rhythms.set_rhythm(plan, actor=office, group_id=group, frequency=ReportFrequency.NONE, day=None,
                                 now=now)
    reporting_rhythms.set_rhythm(plan, actor=office, group_id=group, frequency=None, day=None, now=now)
    scan(sh(2023, 4, 26, 0, 10))
    assert flags(item) == [(item.id, "2023-04", date(2023, 4, 25))]


# --- telling the unit ---------------------------------------------------------------------------------------

def test_a_unit_is_told_once_per_scan_in_one_notification_listing_its_items(make_item, scan):
    first = make_item(status=ItemStatus.IN_PROGRESS, title="执法案卷评查")
    second = make_item(status=ItemStatus.IN_PROGRESS, title="行政复议意见书")
    elsewhere = make_item("gaj", status=ItemStatus.IN_PROGRESS, title="公安执法")
    for _ in range(2):
        scan(sh(2023, 4, 26, 0, 10))

    def told(unit_id: int) -> list[Notification]:
        return list(db.session.scalars(sa.select(Notification).where(
            Notification.unit_id == unit_id, Notification.kind == "missed_report")))
    (notice,) = told(first.unit_id)
    assert "《执法案卷评查》" in notice.text and "《行政复议意见书》" in notice.text and "2023-04-25" in notice.text
    assert notice.item_id is None
    assert second.unit_id == first.unit_id
    (single,) = told(elsewhere.unit_id)
    assert "《公安执法》" in single.text and single.item_id == elsewhere.id


# --- catch-up -----------------------------------------------------------------------------------------------

SCRIPT = {  # per item: the days (Shanghai, 10:00) its unit reports
    "silent": [],
    "april_only": [date(2023, 4, 20)],
    "late_for_april": [date(2023, 4, 27), date(2023, 6, 1)],
    "every_month": [date(2023, 4, 20), date(2023, 5, 20), date(2023, 6, 20)],
}
DAYS = [date(2023, 4, 3 + n) for n in range(28)] + [date(2023, 5, n) for n in range(1, 32)] + \
    [date(2023, 6, n) for n in range(1, 31)] + [date(2023, 7, 1)]


def test_a_replayed_scheduler_flags_what_a_daily_one_would_have(make_item, report, scan, settings):
    daily = {name: make_item(status=ItemStatus.IN_PROGRESS, title=name) for name in SCRIPT}
    for day in DAYS:  # the scan at 08:30 every morning, the units reporting at 10:00
        scan(settings.local(day, settings.scan_time))
        for name, days in SCRIPT.items():
            if day in days:
                report(daily[name], sh(day.year, day.month, day.day, 10))
    replayed = {name: make_item("gaj", status=ItemStatus.IN_PROGRESS, title=name) for name in SCRIPT}
    for name, days in SCRIPT.items():  # the scheduler was down: the history happened first
        for day in days:
            report(replayed[name], sh(day.year, day.month, day.day, 10))
    jobs.record_baseline(jobs.job_named("scan"), "2023-04-02", sh(2023, 4, 2, 9))
    jobs.catch_up(settings=settings, now=sh(2023, 7, 1, 9))

    def by_name(items: dict[str, WorkItem]) -> dict[str, list[tuple[str, date]]]:
        return {name: [(period, due) for _, period, due in flags(item)] for name, item in items.items()}
    assert by_name(replayed) == by_name(daily)
    assert by_name(daily) == {
        "silent": [("2023-04", date(2023, 4, 25)), ("2023-05", date(2023, 5, 25)), ("2023-06", date(2023, 6, 25))],
        "april_only": [("2023-05", date(2023, 5, 25)), ("2023-06", date(2023, 6, 25))],
        "late_for_april": [("2023-04", date(2023, 4, 25))],  # late for April, so in time for May; June's too
        "every_month": [],
    }


# --- cost ---------------------------------------------------------------------------------------------------

def test_the_scans_statements_do_not_grow_with_the_items_flagged(make_item, count_queries, now):
    def statements(n: int, day: date) -> int:
        for _ in range(n):
            make_item(status=ItemStatus.IN_PROGRESS)
        with count_queries() as sent:
            added = reporting_duty.flag_missed(now=sh(day.year, day.month, day.day, 9), today=day,
                                               timezone="Asia/Shanghai")
        assert added >= n
        return len(sent)
    # what is read once per transaction (the unit tree, the X values) is read by a first scan
    reporting_duty.flag_missed(now=sh(2023, 3, 27, 9), today=date(2023, 3, 27), timezone="Asia/Shanghai")
    assert statements(2, date(2023, 4, 26)) == statements(30, date(2023, 5, 26))


# --- reading (the seam the assessment and the 通报 use) -------------------------------------------------------

def test_missed_reports_are_listed_by_deadline_within_a_range_and_by_unit(make_item, scan, unit):
    ours = make_item(status=ItemStatus.IN_PROGRESS)
    theirs = make_item("gaj", status=ItemStatus.IN_PROGRESS)
    scan(sh(2023, 4, 26, 9))
    scan(sh(2023, 5, 26, 9))
    mine = [(m.item_id, m.period) for m in reporting_duty.missed_reports(
        start=date(2023, 5, 1), end=date(2023, 5, 31), unit_ids=[unit("sfj").id])]
    assert mine == [(ours.id, "2023-05")]
    every = reporting_duty.missed_reports(start=date(2023, 4, 25), end=date(2023, 5, 25))
    assert [(m.item_id, m.period) for m in every] == [(ours.id, "2023-04"), (theirs.id, "2023-04"),
                                                      (ours.id, "2023-05"), (theirs.id, "2023-05")]
    assert all(m.flagged_at is not None and m.unit_id in (unit("sfj").id, unit("gaj").id) for m in every)
    assert reporting_duty.count_by_unit() == {unit("sfj").id: 2, unit("gaj").id: 2}


def test_the_units_weekly_digest_names_the_weeks_missed_reports(make_item, report, scan, settings):
    item = make_item(status=ItemStatus.IN_PROGRESS, title="执法监督")
    quiet = make_item("gaj", status=ItemStatus.IN_PROGRESS, title="公安事项")
    report(quiet, sh(2023, 4, 20, 10))
    scan(sh(2023, 4, 26, 8, 30))
    digests.build_round(period_key="2023-W18", now=sh(2023, 5, 1, 8, 30), timezone=settings.timezone,
                        ladder=settings.ladder, due_soon_days=14, with_deliveries=False)
    sfj = db.session.scalars(sa.select(Digest).where(Digest.recipient_key == "unit:sfj")).one()
    assert sfj.data["missed_reports"] == [{"item_id": item.id, "title": "执法监督", "period": "2023-04",
                                           "due_on": "2023-04-25"}]
    assert "五、本周记为未按时报送的工作项" in sfj.text and "执法监督(2023-04 期进展应于 2023-04-25 前报送)" in sfj.text
    assert "未按时报送" in sfj.html
    gaj = db.session.scalars(sa.select(Digest).where(Digest.recipient_key == "unit:gaj")).one()
    assert gaj.data["missed_reports"] == [] and "未按时报送" not in gaj.text
