"""The monthly 通报 job: due on the first working day of the next month, drafts once per period however often it
runs (restarts, catch-up after an outage, a replay), and the quarter's after its last month."""
from datetime import date

import sqlalchemy as sa
import time_machine
from tests.scheduler.sched_helpers import sh

from tracker.extensions import db
from tracker.models import Bulletin, JobRun
from tracker.scheduler import jobs
from tracker.scheduler.runner import Runner

JOB = jobs.job_named("bulletin")


def drafts() -> list[tuple[str, str]]:
    return [(b.kind.value, b.period) for b in db.session.scalars(sa.select(Bulletin).order_by(Bulletin.id))]


def test_the_first_working_day_follows_the_state_councils_holiday_notice(settings):
    first = settings.calendar.first_working_day
    assert first(2024, 6) == date(2024, 6, 3)  # 1 June 2024 was a Saturday
    assert first(2024, 5) == date(2024, 5, 6)  # 劳动节 1-5 May
    assert first(2024, 10) == date(2024, 10, 8)  # 国庆节 1-7 October
    assert first(2023, 10) == date(2023, 10, 7)  # a Saturday worked instead (调休上班) after 29 September-6 October
    assert first(2025, 2) == date(2025, 2, 5)  # 春节 28 January-4 February
    assert first(2027, 5) == date(2027, 5, 3)  # a year the file does not list: Monday to Friday


def test_mays_draft_is_due_at_eight_on_monday_3_june_and_not_before(settings):
    assert JOB.due_at("2024-05", settings) == sh(2024, 6, 3, 8)
    assert JOB.due_at("2024-12", settings) == sh(2025, 1, 2, 8)  # 1 January is a holiday
    assert JOB.latest_due(sh(2024, 6, 3, 7, 59), settings) == "2024-04"
    assert JOB.latest_due(sh(2024, 6, 3, 8), settings) == "2024-05"


def test_running_a_month_twice_drafts_it_once(app, settings):
    assert jobs.run_period(JOB, "2024-06", settings=settings, now=sh(2024, 7, 1, 8)) == "ok"
    assert jobs.run_period(JOB, "2024-06", settings=settings, now=sh(2024, 7, 1, 9)) == "skipped"
    assert drafts() == [("month", "2024-06"), ("quarter", "2024-Q2")]
    assert db.session.scalar(sa.select(JobRun.counts).where(JobRun.job == "bulletin")) == {"month": 1,
                                                                                           "quarter": 1}


def test_after_an_outage_each_missed_month_is_drafted_once(app):
    with time_machine.travel(sh(2024, 1, 3, 10), tick=False):
        Runner(app, holder="test").tick()  # a first start: notes December as done, drafts nothing old
    assert drafts() == []
    with time_machine.travel(sh(2024, 4, 2, 9), tick=False):  # down until after March
        ran = Runner(app, holder="again").tick()
    assert [key for job, key, _ in ran if job == "bulletin"] == ["2024-01", "2024-02", "2024-03"]
    assert drafts() == [("month", "2024-01"), ("month", "2024-02"), ("month", "2024-03"), ("quarter", "2024-Q1")]
    with time_machine.travel(sh(2024, 4, 2, 9, 30), tick=False):
        assert [r for r in Runner(app, holder="again").tick() if r[0] == "bulletin"] == []
    assert len(drafts()) == 4
