"""The scheduler process: APScheduler's BlockingScheduler, started by `flask tracker scheduler`, never by the app.

Only the holder of a lease row (scheduler_leases) runs jobs; a second process started beside it waits as a
standby and takes over when the lease expires (its holder died) or is released (its holder stopped). Every tick
renews the lease, catches up on whatever periods are due and sends what is waiting to be sent, so the cron
triggers only make Monday's digest and the daily scan punctual; missing one, or the whole process being down for
a week, loses nothing. Sending renews the lease before each message and stops when it is lost, and each message
is claimed before it is sent (tracker/scheduler/delivery.py), so a standby that took over mid-round never sends
what the first process is sending. SIGTERM or SIGINT stops the process within seconds: the message being sent is
cut off, and the rest wait, unclaimed, for the next scheduler.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from datetime import datetime, timedelta
from types import FrameType
from typing import Any, cast
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from ..clock import utcnow
from ..extensions import db
from ..models import SchedulerLease
from ..idempotent import insert_or_ignore
from ..settings import settings
from . import delivery, jobs

log = logging.getLogger(__name__)
LEASE_NAME = "scheduler"
TICK_SECONDS = 30


def new_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire_lease(*, holder: str, now: datetime, seconds: int) -> bool:
    """Take or renew the lease; True when `holder` has it until now + seconds. Commits."""
    expires = now + timedelta(seconds=seconds)
    insert_or_ignore(SchedulerLease.__table__, [{"name": LEASE_NAME, "holder": holder, "expires_at": expires}],
                     key=("name",))
    table = SchedulerLease.__table__
    taken = cast(sa.CursorResult[Any], db.session.execute(  # an UPDATE's result is a cursor's
        sa.update(table).where(table.c.name == LEASE_NAME,
                               sa.or_(table.c.holder == holder, table.c.expires_at < now))
        .values(holder=holder, expires_at=expires)
    )).rowcount == 1
    db.session.commit()
    return taken


def release_lease(*, holder: str, now: datetime) -> None:
    """Let a standby take over at once instead of waiting for the lease to run out."""
    table = SchedulerLease.__table__
    db.session.execute(sa.update(table).where(table.c.name == LEASE_NAME, table.c.holder == holder)
                       .values(expires_at=now))
    db.session.commit()


class Runner:
    """One scheduler process's state: who it is, whether it leads, whether it was told to stop."""

    def __init__(self, app: Flask, *, holder: str | None = None) -> None:
        self.app = app
        self.holder = holder or new_holder()
        self.settings = settings(app)  # read and checked when the app was built
        self.lease_seconds = self.settings.scheduler_lease_seconds
        self.leading = False
        self.stopping = threading.Event()
        self.channels = delivery.channels_of(self.settings)

    def renew(self) -> bool:
        """Take or keep the lease; a process told to stop keeps nothing."""
        self.leading = not self.stopping.is_set() and acquire_lease(holder=self.holder, now=utcnow(),
                                                                    seconds=self.lease_seconds)
        return self.leading

    def tick(self) -> list[tuple[str, str, str]]:
        """Renew the lease; if leading, run every due period, then send everything waiting to be sent."""
        with self.app.app_context():
            was_leading = self.leading
            if not self.renew():
                if was_leading:
                    log.warning("lost the scheduler lease; standing by")
                return []
            if not was_leading:
                log.info("scheduler %s holds the lease", self.holder)
            ran = jobs.catch_up(settings=self.settings, still_leader=self.renew)
            for job, key, outcome in ran:
                log.info("%s %s: %s", job, key, outcome)
            delivery.resend_unread(self.settings)
            for channel in self.channels.values():
                counts = delivery.deliver(channel, holder=self.holder, still_leader=self.renew, stop=self.stopping)
                if any(counts.values()):
                    log.info("%s: %d sent, %d failed", channel.name, counts["sent"], counts["failed"])
            return ran

    def stop(self) -> None:
        with self.app.app_context():
            release_lease(holder=self.holder, now=utcnow())  # a no-op unless this process holds it
            db.session.remove()

    def run_forever(self) -> None:
        """Block, ticking, until SIGINT or SIGTERM; one worker thread, so ticks never overlap."""
        s = self.settings
        executor = ThreadPoolExecutor(1)
        scheduler = BlockingScheduler(timezone=ZoneInfo(s.timezone), executors={"default": executor},
                                      job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600})
        # A standby notices a dead holder's lease within a tick of its expiry; a short lease ticks more often.
        tick = max(1, min(TICK_SECONDS, self.lease_seconds // 3))
        scheduler.add_job(self.tick, IntervalTrigger(seconds=tick), id="tick",
                          next_run_time=datetime.now(ZoneInfo(s.timezone)))
        scheduler.add_job(self.tick, CronTrigger(hour=s.scan_time.hour, minute=s.scan_time.minute), id="scan")
        scheduler.add_job(self.tick, CronTrigger(day_of_week=s.digest_weekday, hour=s.digest_time.hour,
                                                 minute=s.digest_time.minute), id="digest")

        def shutdown(_signum: int, _frame: FrameType | None) -> None:
            self.stopping.set()
            scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, shutdown)
        signal.signal(signal.SIGINT, shutdown)
        try:
            scheduler.start()
        finally:
            self.stopping.set()
            executor.shutdown(wait=True)  # the tick under way ends within seconds now that stopping is set
            self.stop()
