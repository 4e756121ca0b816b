"""The scheduler's jobs, keyed by period, and the ledger of their runs (job_runs).

A period is a day for the overdue scan ("2024-01-02", due at TRACKER_SCAN_TIME that day), an ISO week for
the digests ("2024-W02", due on TRACKER_DIGEST_WEEKDAY at TRACKER_DIGEST_TIME) and a month for the 通报 drafts
("2024-05", due on the first working day of the next month at TRACKER_BULLETIN_TIME). A period runs in one
transaction together with its ledger row, so a crash leaves neither and the rerun does it whole; concurrent
runs of one job queue on a lock and the second finds the row and skips. `catch_up` runs every period due since
the last one recorded; a first start records where it began instead of back-filling from the plan's start.

This module owns transactions (it commits), like the CLI; the rules stay in the services it calls.
"""
from __future__ import annotations

import functools
import logging
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa

from ..clock import utcnow
from ..extensions import db
from ..models import JobRun
from ..services.assessment import bulletins
from ..services.trust import directory_sync
from ..services.trust.accounts import make_hasher
from ..services.ledger import digests, escalation
from ..idempotent import insert_or_ignore, serialise
from ..services.work.deadlines import local_today
from ..settings import Settings

log = logging.getLogger(__name__)
DONE = ("ok", "baseline")


class DailyJob(ABC):
    """A job keyed by day (ISO date), due each day at the time `time_of` reads from the settings."""

    @abstractmethod
    def time_of(self, s: Settings) -> time: ...

    def due_at(self, key: str, s: Settings) -> datetime:
        return s.local(date.fromisoformat(key), self.time_of(s))

    def latest_due(self, now: datetime, s: Settings) -> str:
        today = local_today(now, s.timezone)
        day = today if self.due_at(today.isoformat(), s) <= now else today - timedelta(days=1)
        return day.isoformat()

    def next_key(self, key: str) -> str:
        return (date.fromisoformat(key) + timedelta(days=1)).isoformat()


class ScanJob(DailyJob):
    """Daily: overdue state and the ladder's records as of that day."""

    name = "scan"
    first_start = "run"  # a first start scans today: the records as of that day, one per level reached

    def time_of(self, s: Settings) -> time:
        return s.scan_time

    def work(self, key: str, now: datetime, s: Settings) -> dict[str, Any]:
        # A back-filled day is scanned as of that day, so its records carry that day's date and days overdue.
        at = now if local_today(now, s.timezone).isoformat() == key else self.due_at(key, s)
        return escalation.scan(now=at, ladder=s.ladder, timezone=s.timezone, reminder_days=s.reminder_days,
                               number_format=s.number_format).summary()


class DigestJob:
    """Weekly: every unit's and the office's digest, stored, then mailed after the commit."""

    name = "digest"
    first_start = "baseline"  # no mail flood: a first start waits for the next round

    def due_at(self, key: str, s: Settings) -> datetime:
        return s.local(digests.week_start(key) + timedelta(days=s.digest_weekday), s.digest_time)

    def latest_due(self, now: datetime, s: Settings) -> str:
        key = digests.week_key(local_today(now, s.timezone))
        if self.due_at(key, s) > now:
            key = digests.week_key(digests.week_start(key) - timedelta(days=7))
        return key

    def next_key(self, key: str) -> str:
        return digests.week_key(digests.week_start(key) + timedelta(days=7))

    def work(self, key: str, now: datetime, s: Settings) -> dict[str, Any]:
        return digests.build_round(period_key=key, now=now, timezone=s.timezone, ladder=s.ladder,
                                   due_soon_days=s.due_soon_days, with_deliveries=s.smtp is not None).summary()


class BulletinJob:
    """Monthly: the month's 通报 draft, and the quarter's after its last month, for the office to edit and issue."""

    name = "bulletin"
    first_start = "baseline"  # like the digests: a first start waits for the next month rather than drafting old ones

    def due_at(self, key: str, s: Settings) -> datetime:
        year, month = divmod(int(key[:4]) * 12 + int(key[5:7]), 12)  # the month after `key`, 1-based
        return s.local(s.calendar.first_working_day(year, month + 1), s.bulletin_time)

    def latest_due(self, now: datetime, s: Settings) -> str:
        today = local_today(now, s.timezone)
        key = self.previous_key(bulletins.month_key(today))
        return key if self.due_at(key, s) <= now else self.previous_key(key)

    def previous_key(self, key: str) -> str:
        return bulletins.month_key(date(int(key[:4]), int(key[5:7]), 1) - timedelta(days=1))

    def next_key(self, key: str) -> str:
        return bulletins.month_key(date(int(key[:4]), int(key[5:7]), 28) + timedelta(days=4))

    def work(self, key: str, now: datetime, s: Settings) -> dict[str, Any]:
        return bulletins.prepare_after_month(key, now=now)


class DirectorySyncJob(DailyJob):
    """Daily at TRACKER_DIRECTORY_SYNC_TIME, when set: people from LDAP laid over the accounts, and applied
    (services/trust/directory_sync.py). The directory is read before the period's transaction begins
    (`prepare`); a refused run or an unreachable directory is a failed period, retried at the next catch-up."""

    name = "directory"
    first_start = "run"

    def time_of(self, s: Settings) -> time:
        assert s.directory_sync_time is not None  # only active with a time (active_jobs)
        return s.directory_sync_time

    def prepare(self, now: datetime, s: Settings) -> Callable[[], dict[str, Any]]:
        """Read the directory (a network call, outside any transaction); the work then plans and applies it."""
        assert s.ldap is not None  # settings require the directory with a sync time
        units, entries = directory_sync.from_ldap(s.ldap)

        def work() -> dict[str, Any]:
            planned = directory_sync.plan(entries, source="ldap", match=s.sign_on.match, units=units)
            return directory_sync.apply(planned, hasher=make_hasher(), now=now)
        return work


Job = ScanJob | DigestJob | BulletinJob | DirectorySyncJob
JOBS: tuple[Job, ...] = (ScanJob(), DigestJob(), BulletinJob())  # always on
DIRECTORY_SYNC = DirectorySyncJob()


def active_jobs(s: Settings) -> tuple[Job, ...]:
    """The jobs the settings switch on: the directory sync only with TRACKER_DIRECTORY_SYNC_TIME."""
    return JOBS + ((DIRECTORY_SYNC,) if s.directory_sync_time is not None else ())


def job_named(name: str) -> Job:
    return next(job for job in JOBS if job.name == name)


def last_recorded(job: Job) -> str | None:
    return db.session.execute(sa.select(sa.func.max(JobRun.period_key)).where(
        JobRun.job == job.name, JobRun.outcome.in_(DONE))).scalar()


def run_period(job: Job, key: str, *, settings: Settings, now: datetime | None = None) -> str:
    """Run one period once: 'ok', 'skipped' (already done) or 'failed' (recorded; retried by the next catch-up)."""
    now = now or utcnow()
    try:
        if isinstance(job, DirectorySyncJob):
            work = job.prepare(now, settings)  # the directory is read before the transaction begins
        else:
            work = functools.partial(job.work, key, now, settings)
        serialise(zlib.crc32(job.name.encode()) & 0x7FFFFFFF)  # PostgreSQL binds it as a 32-bit integer
        row = _claim(job, key, now)
        if row is None:
            db.session.rollback()
            return "skipped"
        row.counts = work()
        row.finished_at, row.outcome = utcnow(), "ok"
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        log.exception("job %s %s failed", job.name, key)
        _record_failure(job, key, now, exc)
        return "failed"
    return "ok"  # what it wrote to send goes out with the runner's delivery round (tracker/scheduler/delivery.py)


def _claim(job: Job, key: str, now: datetime) -> JobRun | None:
    """The ledger row for this period, marked running; None when the period is already done."""
    insert_or_ignore(JobRun.__table__, [{"job": job.name, "period_key": key, "started_at": now,
                                         "outcome": "running"}], key=("job", "period_key"))
    row = db.session.execute(sa.select(JobRun).where(JobRun.job == job.name, JobRun.period_key == key)
                             ).scalar_one()
    if row.outcome in DONE:
        return None
    row.started_at, row.outcome, row.error = now, "running", None
    return row


def _record_failure(job: Job, key: str, now: datetime, exc: Exception) -> None:
    insert_or_ignore(JobRun.__table__, [{"job": job.name, "period_key": key, "started_at": now,
                                         "outcome": "failed"}], key=("job", "period_key"))
    row = db.session.execute(sa.select(JobRun).where(JobRun.job == job.name, JobRun.period_key == key)
                             ).scalar_one()
    if row.outcome not in DONE:
        row.outcome, row.finished_at, row.error = "failed", utcnow(), f"{type(exc).__name__}: {exc}"[:2000]
    db.session.commit()


def record_baseline(job: Job, key: str, now: datetime) -> None:
    """Note where a first start began, so the next start back-fills from here and never from the plan's start."""
    insert_or_ignore(JobRun.__table__, [{"job": job.name, "period_key": key, "started_at": now, "finished_at": now,
                                         "outcome": "baseline"}], key=("job", "period_key"))
    db.session.commit()


def catch_up(*, settings: Settings, now: datetime | None = None,
             still_leader: Callable[[], bool] = lambda: True) -> list[tuple[str, str, str]]:
    """Run every period due and not yet done, oldest first; returns (job, period, outcome) for each."""
    now = now or utcnow()
    ran: list[tuple[str, str, str]] = []
    for job in active_jobs(settings):
        latest = job.latest_due(now, settings)
        last = last_recorded(job)
        db.session.rollback()
        if last is None and job.first_start == "baseline":
            record_baseline(job, latest, now)
            continue
        key = latest if last is None else job.next_key(last)
        while key <= latest:
            if not still_leader():
                return ran
            ran.append((job.name, key, run_period(job, key, settings=settings, now=now)))
            key = job.next_key(key)
    return ran
