"""Live streams served by gunicorn with the production settings (gthread), on SQLite and PostgreSQL: a move
reaches every stream allowed to see it within two seconds, a unit's stream never names another unit's item,
a dropped stream resumes with Last-Event-ID, and open streams hold no database connection."""
from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from tracker.extensions import db
from tracker.models import ItemStatus, Phase, Plan, Role, Task, Unit, User, WorkItem
from tracker.services.trust import accounts
from tracker.services.work import items, live_events, workflow

from .. import servers
from ..live_helpers import PASSWORD, Stream, signed_in

NOW = datetime(2023, 4, 3, 2, 0, tzinfo=timezone.utc)
WITHIN = 2.0  # seconds, the promise


class Town:
    """People of three places and a card for each unit, committed before the server starts."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.cards: dict[str, int] = {}
        for name, role, unit_key in (("live_office", Role.OFFICE_ADMIN, "office"),
                                     ("live_sfj", Role.UNIT_ADMIN, "sfj"), ("live_jiaqu", Role.UNIT_ADMIN, "jiaqu")):
            user = accounts.create_user(username=name, display_name=name, role=role, unit=self.unit(unit_key),
                                        password=PASSWORD, hasher=app.extensions["password_hasher"], actor=None,
                                        now=NOW)
            user.must_change_password = False
        db.session.flush()
        office = self.user("live_office")
        plan = db.session.execute(sa.select(Plan)).scalar_one()
        task = db.session.execute(sa.select(Task).where(Task.plan_id == plan.id, Task.number == 3)).scalar_one()
        phase = db.session.execute(sa.select(Phase).where(Phase.plan_id == plan.id)).scalars().first()
        for card, unit_key in (("sfj", "sfj"), ("sfj2", "sfj"), ("jiaqu", "jiaqu")):
            (item,) = items.create_items(actor=office, task=task, phase=phase, units=[self.unit(unit_key)],
                                         title=f"实时看板{card}", due_date=date(2025, 12, 31), now=NOW)
            self.cards[card] = item.id
        db.session.commit()
        db.session.close()

    @staticmethod
    def unit(key: str) -> Unit:
        return db.session.execute(sa.select(Unit).where(Unit.key == key)).scalar_one()

    @staticmethod
    def user(name: str) -> User:
        return db.session.execute(sa.select(User).where(User.username == name)).scalar_one()

    def sign(self, card: str) -> None:
        """The card's unit signs for it (a move, as from another browser)."""
        item = db.session.get(WorkItem, self.cards[card])
        assert item is not None
        workflow.move(item, actor=self.user(f"live_{card.rstrip('2')}"), to=ItemStatus.IN_PROGRESS,
                      expected_version=item.version, now=NOW)
        db.session.commit()
        db.session.close()

    def since(self) -> str:
        found = live_events.last_id()
        db.session.close()
        return f"/live/stream?since={found}"


@pytest.fixture
def town(committed_app: Flask) -> Iterator[Town]:
    with committed_app.app_context():
        yield Town(committed_app)


@pytest.fixture
def served(committed_app: Flask, town: Town, tmp_path: Path) -> Iterator[str]:
    with servers.gunicorn(committed_app, tmp_path / "gunicorn.log", TRACKER_WORKERS="1", TRACKER_THREADS="4",
                          TRACKER_LIVE_STREAMS="20") as url:
        yield url


def test_a_move_reaches_every_stream_that_may_see_it_within_two_seconds_and_no_other(served, town):
    office, sfj, jiaqu = (Stream(signed_in(served, f"live_{who}"), town.since())
                          for who in ("office", "sfj", "jiaqu"))
    try:
        assert office.status == 200 and office.content_type.startswith("text/event-stream")
        started = time.monotonic()
        town.sign("sfj")
        assert sfj.next_item(town.cards["sfj"], WITHIN) - started < WITHIN
        assert office.next_item(town.cards["sfj"], WITHIN) - started < WITHIN
        started = time.monotonic()
        town.sign("jiaqu")
        assert jiaqu.next_item(town.cards["jiaqu"], WITHIN) - started < WITHIN
        assert office.next_item(town.cards["jiaqu"], WITHIN) - started < WITHIN
        assert town.cards["jiaqu"] not in {m.item for m in sfj.drain(1.0)}
        assert town.cards["sfj"] not in {m.item for m in jiaqu.drain(0.1)}
    finally:
        for stream in (office, sfj, jiaqu):
            stream.close()


def test_a_dropped_stream_resumes_after_the_last_event_it_had(served, town):
    browser = signed_in(served, "live_sfj")
    first = Stream(browser, town.since())
    town.sign("sfj")
    first.next_item(town.cards["sfj"], WITHIN)
    last_id = first.seen[-1].id
    first.close()
    town.sign("jiaqu")  # not sfj's: never replayed to it
    town.sign("sfj2")  # missed while the stream was down
    resumed = Stream(browser, "/live/stream", headers={"Last-Event-ID": str(last_id)})
    try:
        assert [m.item for m in resumed.drain(1.0) if m.event == "item"] == [town.cards["sfj2"]]
    finally:
        resumed.close()


def test_an_unreadable_last_event_id_is_refused(served, town):
    browser = signed_in(served, "live_sfj")
    status, _headers, _body = browser.get("/live/stream", headers={"Last-Event-ID": "yesterday"})
    assert status == 422


def test_a_stranger_gets_no_stream(served, town):
    from ..live_helpers import Browser

    status, headers, _body = Browser(served).get("/live/stream")
    assert status == 401 and "Location" not in headers  # an EventSource stops; it is sent to no login page


@pytest.mark.postgres
def test_open_streams_hold_no_database_connection_or_transaction(served, town, committed_app):
    streams = [Stream(signed_in(served, "live_office"), town.since()) for _ in range(15)]
    try:
        town.sign("sfj")
        for stream in streams:
            stream.next_item(town.cards["sfj"], WITHIN)
        with committed_app.app_context():
            states = db.session.execute(sa.text(
                "SELECT state FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )).scalars().all()
            db.session.close()
        assert "idle in transaction" not in states
        assert len(states) <= 3, states  # the listener and the pool's idle connections, not one per stream
    finally:
        for stream in streams:
            stream.close()
