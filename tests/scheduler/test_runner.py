"""The scheduler's catch-up: bounded to its own last run, a first start that floods no one, restarts that
neither lose nor repeat a period."""
import sqlalchemy as sa
import time_machine
from tests.scheduler.sched_helpers import sh

from tracker.extensions import db
from tracker.models import Digest, JobRun
from tracker.scheduler import jobs
from tracker.scheduler.runner import Runner
from tracker.services.trust import audit


def ledger(job):
    return db.session.execute(sa.select(JobRun.period_key, JobRun.outcome).where(JobRun.job == job)
                              .order_by(JobRun.period_key)).all()


def digest_weeks():
    return sorted(set(db.session.scalars(sa.select(Digest.period_key))))


def test_first_start_scans_today_and_sends_no_old_digests(app):
    with time_machine.travel(sh(2026, 11, 25, 10), tick=False):
        ran = Runner(app, holder="test").tick()
    assert ran == [("scan", "2026-11-25", "ok")]
    assert ledger("scan") == [("2026-11-25", "ok")]
    assert ledger("digest") == [("2026-W48", "baseline")]
    assert digest_weeks() == []


def test_restart_after_an_outage_runs_each_missed_period_once(app):
    runner = Runner(app, holder="test")
    with time_machine.travel(sh(2024, 1, 3, 10), tick=False):
        runner.tick()
        runner.stop()
    with time_machine.travel(sh(2024, 1, 16, 9), tick=False):  # down from the 3rd to Tuesday the 16th
        ran = Runner(app, holder="again").tick()
    assert [key for job, key, _ in ran if job == "scan"] == [f"2024-01-{d:02d}" for d in range(4, 17)]
    assert [key for job, key, _ in ran if job == "digest"] == ["2024-W02", "2024-W03"]
    assert digest_weeks() == ["2024-W02", "2024-W03"]
    with time_machine.travel(sh(2024, 1, 16, 9, 30), tick=False):
        assert Runner(app, holder="again").tick() == []
    assert all(outcome == "ok" for _, outcome in ledger("scan"))


def test_the_audit_chain_verifies_after_the_scheduler_replays_missed_days(app):
    """Missed scans run at their own hour in the plan's zone; what they write is hashed as it is read back."""
    with time_machine.travel(sh(2024, 1, 3, 10), tick=False):
        Runner(app, holder="test").tick()
    with time_machine.travel(sh(2024, 1, 20, 9), tick=False):
        ran = Runner(app, holder="again").tick()
    assert len(ran) > 10
    db.session.expire_all()
    report = audit.verify_chain()
    assert report.ok, report


def test_monday_digest_waits_for_its_hour(app, settings):
    jobs.record_baseline(jobs.job_named("digest"), "2024-W01", sh(2024, 1, 1, 9))
    with time_machine.travel(sh(2024, 1, 8, 8, 29), tick=False):
        jobs.catch_up(settings=settings)
    assert digest_weeks() == []
    with time_machine.travel(sh(2024, 1, 8, 8, 30), tick=False):
        jobs.catch_up(settings=settings)
    assert digest_weeks() == ["2024-W02"]


def test_a_standby_runs_nothing_while_the_lease_is_held(app):
    with time_machine.travel(sh(2024, 1, 3, 10), tick=False):
        assert Runner(app, holder="first").tick() != []
        standby = Runner(app, holder="second")
        assert standby.tick() == [] and not standby.leading


def test_scheduler_once_from_the_command_line(app):
    with time_machine.travel(sh(2024, 1, 3, 10), tick=False):
        result = app.test_cli_runner().invoke(args=["tracker", "scheduler", "--once"])
    assert result.exit_code == 0, result.output
    assert "scan 2024-01-03: ok" in result.output
