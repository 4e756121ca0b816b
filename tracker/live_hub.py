"""One listener per web worker process that hears committed changes and hands them to that worker's open streams.

A stream (web/live.py) is a thread of a gthread worker waiting on a condition variable: it holds no database
connection and no transaction while it waits. What it waits for is this hub: one thread per process that reads
the `live_events` rows after the last it read (services/work/live_events.py) and wakes every stream. On
PostgreSQL it LISTENs on its own connection and reads when a NOTIFY arrives (at once) or every few seconds
anyway; on SQLite it polls the table by id twice a second, one indexed query for the whole process however many
streams are open. The thread runs only while some stream is open, so an idle worker sends no query.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from .database import reading
from .services.work import live_events
from .services.work.live_events import Change

POLL_SECONDS = 0.5  # SQLite: how often the table is read while streams are open
LISTEN_SECONDS = 5.0  # PostgreSQL: a read even without a NOTIFY (a listener reconnected may have missed one)
BUFFER = 2000  # changes a slow stream may fall behind by before it is told to reload instead
RECONNECT_SECONDS = 2.0
log = logging.getLogger(__name__)


class Subscriber:
    """One open stream's queue of changes, filled by the hub's thread, emptied by the stream's."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub
        self._changes: list[Change] = []
        self.overflowed = False

    def push(self, changes: list[Change]) -> None:
        if len(self._changes) + len(changes) > BUFFER:
            self.overflowed = True
            self._changes.clear()
        else:
            self._changes.extend(changes)

    def wait(self, timeout: float) -> list[Change]:
        """The changes since the last call, waiting up to `timeout` seconds for one (none: time for a
        heartbeat)."""
        with self._hub.condition:
            if not self._changes and not self._hub.closing:
                self._hub.condition.wait_for(lambda: bool(self._changes) or self._hub.closing, timeout)
            found, self._changes = self._changes, []
            return found


class Hub:
    """The process's listener; `subscribe` starts it, the last `unsubscribe` lets its thread end."""

    def __init__(self, engine: Engine, capacity: int) -> None:
        self.engine = engine
        self.capacity = capacity
        self.condition = threading.Condition()
        self.closing = False
        self._subscribers: set[Subscriber] = set()
        self._cursor = 0
        self._thread: threading.Thread | None = None

    @property
    def open_streams(self) -> int:
        return len(self._subscribers)

    def subscribe(self, latest: int) -> tuple[Subscriber, int] | None:
        """A new stream's queue and the id the hub has read up to (the stream reads what came before from the
        table itself); None when this worker already serves as many streams as it may."""
        with self.condition:
            if len(self._subscribers) >= self.capacity or self.closing:
                return None
            if self._thread is None:
                self._cursor = latest
                self._thread = threading.Thread(target=self._run, name="tracker-live", daemon=True)
                self._thread.start()
            subscriber = Subscriber(self)
            self._subscribers.add(subscriber)
            return subscriber, self._cursor

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self.condition:
            self._subscribers.discard(subscriber)

    def close(self) -> None:
        """Wake every stream so it ends; the thread stops after its current wait."""
        with self.condition:
            self.closing = True
            self.condition.notify_all()

    def _run(self) -> None:
        """Read and hand on changes while any stream is open; a lost database connection is retried."""
        try:
            while self._wanted():
                try:
                    with reading(), self._waker() as wait:
                        while self._wanted():
                            # read first: a change committed before LISTEN took hold sent its NOTIFY to
                            # nobody, and would otherwise wait for the next change or timeout (5 s)
                            self._read()
                            wait()
                except Exception:  # the database went away: the streams keep their heartbeats meanwhile
                    log.exception("live listener: reading changes failed; trying again")
                    time.sleep(RECONNECT_SECONDS)
        finally:
            with self.condition:
                if self._thread is threading.current_thread():
                    self._thread = None

    def _wanted(self) -> bool:
        """Whether to go on; when not, the thread is let go here, under the lock, so a stream that subscribes
        at this moment starts a new one."""
        with self.condition:
            if self._subscribers and not self.closing:
                return True
            self._thread = None
            return False

    def _read(self) -> None:
        with self.condition:
            cursor = self._cursor
        with Session(self.engine) as session:
            changes = live_events.after(cursor, session=session)
        if changes:
            with self.condition:
                self._cursor = changes[-1].id
                for subscriber in self._subscribers:
                    subscriber.push(changes)
                self.condition.notify_all()

    @contextmanager
    def _waker(self) -> Iterator[Any]:
        """A function that returns when there may be something new: a NOTIFY or a timeout on PostgreSQL, a
        short sleep on SQLite."""
        if self.engine.dialect.name != "postgresql":
            yield lambda: time.sleep(POLL_SECONDS)
            return
        import psycopg  # PostgreSQL's driver is an extra (pyproject: postgres); SQLite never gets here

        url = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f"LISTEN {live_events.CHANNEL}")

            def wait() -> None:
                for _notice in connection.notifies(timeout=LISTEN_SECONDS, stop_after=1):
                    pass
            yield wait


_HUBS: dict[tuple[int, int], Hub] = {}
_HUBS_LOCK = threading.Lock()


def close_all() -> None:
    """End every open stream of this process at once: a worker told to stop (gunicorn_conf's SIGTERM hook) is not
    held for its graceful timeout by streams that would otherwise wait for their next change."""
    with _HUBS_LOCK:
        hubs = list(_HUBS.values())
    for hub in hubs:
        hub.close()


def hub_for(engine: Engine, capacity: int) -> Hub:
    """This process's hub for an engine (a forked worker gets its own: the key holds the process id)."""
    key = (os.getpid(), id(engine))
    with _HUBS_LOCK:
        found = _HUBS.get(key)
        if found is None or found.closing:
            found = _HUBS[key] = Hub(engine, capacity)
        return found
