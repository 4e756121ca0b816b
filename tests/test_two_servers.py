"""Two machines, one database: two app servers and two schedulers on one PostgreSQL, as a city scales out.

Each server is gunicorn with the production settings (tests/servers.py) in a process of its own, sharing only
the database, the secret key and the upload folder, as two machines behind one proxy would. PostgreSQL only:
SQLite is one file on one machine.
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from tracker.extensions import db
from tracker.models import AccountabilityRecord, Event, JobRun, Role, SchedulerLease, Unit
from tracker.services.trust import accounts

from . import servers

pytestmark = pytest.mark.postgres  # deselected on SQLite (tests/conftest.py)
PASSWORD = "Correct-Horse-9"
WITHIN_SECONDS = 120
SHORT_LEASE = "6"  # seconds: a standby takes over a dead holder's lease within seconds, not minutes


class Browser:
    """One person's browser: cookies shared by every server on 127.0.0.1, as behind one proxy."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  NoRedirect())

    def get(self, url: str) -> tuple[int, str]:
        return self.send(urllib.request.Request(url))

    def login(self, base: str, username: str, password: str) -> tuple[int, str]:
        _status, page = self.get(f"{base}/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token, page[:500]
        form = {"csrf_token": token.group(1), "username": username, "password": password}
        return self.send(urllib.request.Request(f"{base}/login", data=urllib.parse.urlencode(form).encode()))

    def send(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=60) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _people(app: Flask) -> None:
    with app.app_context():
        office = db.session.execute(sa.select(Unit).where(Unit.key == "office")).scalar_one()
        for name in ("alice", "bob"):
            user = accounts.create_user(username=name, display_name=name, role=Role.OFFICE_ADMIN, unit=office,
                                        password=PASSWORD, hasher=app.extensions["password_hasher"], actor=None,
                                        now=datetime.now(timezone.utc))
            user.must_change_password = False
        db.session.commit()
        db.session.remove()


def _eventually(app: Flask, check: Callable[[], object], what: str) -> object:
    """Polls the database until `check` gives something true; fails after WITHIN_SECONDS."""
    deadline = time.monotonic() + WITHIN_SECONDS
    while time.monotonic() < deadline:
        with app.app_context():
            found = check()
            db.session.remove()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"not within {WITHIN_SECONDS} s: {what}")


@pytest.fixture
def two_servers(committed_app: Flask, tmp_path: Path) -> Iterator[tuple[str, str]]:
    _people(committed_app)
    with ExitStack() as stack:
        yield (stack.enter_context(servers.gunicorn(committed_app, tmp_path / "a.log", TRACKER_WORKERS="1")),
               stack.enter_context(servers.gunicorn(committed_app, tmp_path / "b.log", TRACKER_WORKERS="1")))


def test_a_session_made_on_one_server_is_valid_on_the_other_and_a_lockout_holds_on_both(
        two_servers: tuple[str, str]) -> None:
    first, second = two_servers
    alice = Browser()
    assert alice.login(first, "alice", PASSWORD)[0] == 302
    status, page = alice.get(f"{second}/board")
    assert status == 200 and "alice" in page

    intruder = Browser()
    for _ in range(5):
        assert intruder.login(first, "bob", "wrong-password")[0] == 401
    status, page = Browser().login(second, "bob", PASSWORD)
    assert status == 401 and "已暂时锁定" in page


def test_one_scheduler_holds_the_lease_the_other_takes_over_when_it_dies_and_nothing_is_doubled(
        committed_app: Flask, tmp_path: Path) -> None:

    def holder() -> str | None:
        lease = db.session.get(SchedulerLease, "scheduler")
        return lease.holder if lease is not None and lease.expires_at > datetime.now(timezone.utc) else None

    def pid_of(holder_name: object) -> int:
        return int(str(holder_name).split(":")[1])

    def todays_scan_finished() -> bool:
        return bool(db.session.execute(sa.select(sa.func.count()).select_from(JobRun).where(
            JobRun.job == "scan", JobRun.finished_at.is_not(None))).scalar())

    with servers.scheduler(committed_app, tmp_path / "s1.log", TRACKER_SCHEDULER_LEASE_SECONDS=SHORT_LEASE) as one, \
            servers.scheduler(committed_app, tmp_path / "s2.log", TRACKER_SCHEDULER_LEASE_SECONDS=SHORT_LEASE) as two:
        leader = pid_of(_eventually(committed_app, holder, "one scheduler holds the lease"))
        assert leader in (one.pid, two.pid)
        _eventually(committed_app, todays_scan_finished, "the leader ran today's scan")
        os.kill(leader, signal.SIGKILL)  # dies without releasing its lease
        standby = two.pid if leader == one.pid else one.pid
        _eventually(committed_app, lambda: holder() is not None and pid_of(holder()) == standby,
                    "the standby took the lease over")
        time.sleep(int(SHORT_LEASE))  # a few of its ticks, in which it must find nothing left to do

    with committed_app.app_context():
        runs = db.session.execute(sa.select(JobRun.job, JobRun.period_key)).all()
        scans = db.session.execute(sa.select(sa.func.count()).select_from(Event)
                                   .where(Event.action == "ladder.scan")).scalar()
        records = db.session.execute(sa.select(AccountabilityRecord.item_id, AccountabilityRecord.kind,
                                               AccountabilityRecord.level, AccountabilityRecord.due_date)).all()
        db.session.remove()
    assert len(runs) == len(set(runs)) and scans == len([r for r in runs if r.job == "scan"]) >= 1
    assert records and len(records) == len(set(records))
