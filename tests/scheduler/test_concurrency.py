"""Two scans at once, a crash in the middle of a scan, and the lease: on a scratch database with real commits.

The usual fixture runs each test on one connection inside a rolled-back transaction, which cannot show two
writers racing; these tests build their own app on a fresh database and commit for real.
"""
from __future__ import annotations

import threading
from datetime import date

import sqlalchemy as sa
from tests.scheduler.sched_helpers import sh

from tracker.extensions import db
from tracker.models import AccountabilityRecord, JobRun, WorkItem
from tracker.scheduler import jobs
from tracker.scheduler.runner import acquire_lease, release_lease
from tracker.services.ledger import escalation
from tracker.settings import settings as settings_of
from tracker.services.ledger.ladder import levels_reached


def record_keys(app):
    with app.app_context():
        rows = db.session.execute(sa.select(AccountabilityRecord.item_id, AccountabilityRecord.kind,
                                            AccountabilityRecord.level, AccountabilityRecord.due_date)).all()
        db.session.remove()
    return rows


def expected_ladder_records(app, today):
    """What one scan should write: every level reached by every item still open on that day."""
    settings = settings_of(app)
    with app.app_context():
        dues = db.session.scalars(sa.select(WorkItem.due_date)).all()
        db.session.remove()
    return sum(len(levels_reached((today - due).days, settings.ladder)) for due in dues if due < today)


def test_two_scans_at_once_write_no_duplicate(committed_app):
    settings = settings_of(committed_app)
    at = sh(2024, 2, 20, 0, 10)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def scan_in_thread():
        try:
            with committed_app.app_context():
                barrier.wait()
                results.append(escalation.scan(now=at, ladder=settings.ladder, timezone=settings.timezone))
                db.session.commit()
                db.session.remove()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=scan_in_thread) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    keys = record_keys(committed_app)
    assert len(keys) == len(set(keys)) == expected_ladder_records(committed_app, date(2024, 2, 20)) > 0
    written = sorted(sum(r.records.values()) for r in results)
    assert written == [0, len(keys)]  # one scan wrote everything, the other found it done


def test_two_runs_of_one_period_at_once_leave_one_ledger_row(committed_app):
    settings = settings_of(committed_app)
    barrier = threading.Barrier(2)
    outcomes = []

    def run():
        with committed_app.app_context():
            barrier.wait()
            outcomes.append(jobs.run_period(jobs.job_named("scan"), "2024-02-20", settings=settings,
                                            now=sh(2024, 2, 20, 0, 10)))
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["ok", "skipped"]
    with committed_app.app_context():
        assert db.session.execute(sa.select(JobRun.outcome).where(JobRun.job == "scan")).scalars().all() == ["ok"]


def test_a_crash_in_the_middle_of_a_scan_loses_nothing_and_doubles_nothing(committed_app, monkeypatch):
    settings = settings_of(committed_app)
    scan_job = jobs.job_named("scan")

    def crash(*args, **kwargs):
        raise RuntimeError("power cut after the ladder records were written")

    monkeypatch.setattr(escalation, "_write_unanswered_records", crash)
    with committed_app.app_context():
        assert jobs.run_period(scan_job, "2024-02-20", settings=settings, now=sh(2024, 2, 20, 0, 10)) == "failed"
        failed = db.session.execute(sa.select(JobRun).where(JobRun.job == "scan")).scalar_one()
        assert failed.outcome == "failed" and "power cut" in failed.error
        db.session.remove()
    assert record_keys(committed_app) == []  # the half-done scan was rolled back whole

    monkeypatch.undo()
    with committed_app.app_context():
        ran = jobs.catch_up(settings=settings, now=sh(2024, 2, 20, 0, 11))
        db.session.remove()
    assert ("scan", "2024-02-20", "ok") in ran
    keys = record_keys(committed_app)
    assert len(keys) == len(set(keys)) == expected_ladder_records(committed_app, date(2024, 2, 20))
    with committed_app.app_context():
        assert jobs.run_period(scan_job, "2024-02-20", settings=settings, now=sh(2024, 2, 20, 9)) == "skipped"
        db.session.remove()
    assert len(record_keys(committed_app)) == len(keys)


def test_only_the_lease_holder_runs_and_a_standby_takes_over(app):
    now = sh(2024, 1, 1, 9)
    assert acquire_lease(holder="a", now=now, seconds=120)
    assert not acquire_lease(holder="b", now=now, seconds=120)
    assert acquire_lease(holder="a", now=sh(2024, 1, 1, 9, 1), seconds=120)  # renewal
    assert not acquire_lease(holder="b", now=sh(2024, 1, 1, 9, 2), seconds=120)
    assert acquire_lease(holder="b", now=sh(2024, 1, 1, 9, 4), seconds=120)  # a died: its lease ran out
    assert not acquire_lease(holder="a", now=sh(2024, 1, 1, 9, 4), seconds=120)
    release_lease(holder="b", now=sh(2024, 1, 1, 9, 5))
    assert acquire_lease(holder="a", now=sh(2024, 1, 1, 9, 5).replace(second=1), seconds=120)
