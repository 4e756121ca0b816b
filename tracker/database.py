"""Engine settings per dialect, and which transactions take SQLite's write lock.

SQLite: foreign keys on, WAL, a busy timeout, and every transaction begun by us rather than by pysqlite
(SQLAlchemy's documented workaround that makes SAVEPOINTs correct). A transaction that may write begins
IMMEDIATE: it takes the write lock at BEGIN, so a transaction that reads and then writes (the audit chain reads,
then appends) never fails with SQLITE_BUSY_SNAPSHOT when another writer committed in between. A read-only
request (GET, HEAD, OPTIONS) begins DEFERRED instead: it reads a snapshot, takes no lock, and so neither waits
for a writer nor holds one up. A read request that must write (the session touch) does so in a transaction of
its own inside `write_transaction()`.

PostgreSQL runs at its default READ COMMITTED; reads take no lock there anyway.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask, g, has_request_context, request
from sqlalchemy.engine import Engine

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
T = TypeVar("T")


@sa.event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@sa.event.listens_for(Engine, "begin")
def _sqlite_begin(connection: sa.Connection) -> None:
    if has_request_context() and g.get("tracker_outside_transaction", False):
        raise RuntimeError("a query inside outside_transaction(): its work must not touch the database")
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN" if _reading() else "BEGIN IMMEDIATE")


def _reading() -> bool:
    """True in a read-only request, outside `write_transaction()`, and inside `reading()`; CLI, scheduler and
    tests write as before."""
    if _READING.get():
        return True
    return has_request_context() and request.method in READ_METHODS and not g.get("tracker_writes", False)


_READING: ContextVar[bool] = ContextVar("tracker_reading", default=False)


@contextmanager
def reading() -> Iterator[None]:
    """Transactions begun inside only read, as a GET's do: for work a read request leaves to run after it (a
    board streamed out once the view returned), which has no request of its own to say so."""
    token = _READING.set(True)
    try:
        yield
    finally:
        _READING.reset(token)


@contextmanager
def write_transaction() -> Iterator[None]:
    """Transactions begun inside take the write lock at their start, even in a read request.

    A transaction already begun stays what it began as: see `write_apart`.
    """
    before = g.get("tracker_writes", False)
    g.tracker_writes = True
    try:
        yield
    finally:
        g.tracker_writes = before


def write_apart(work: Callable[[], T]) -> T:
    """Run `work` in a short transaction of its own that takes the write lock first, and commit it there.

    For the rare write a read request must make before its view runs (touching the session record): the
    request's reading transaction, in which nothing is written yet, ends first, since writing in it could fail
    with SQLITE_BUSY_SNAPSHOT when another request committed after it began. The request's own commit point
    (tracker/transaction.py) is untouched.
    """
    from .extensions import db

    db.session.commit()
    with write_transaction():
        result = work()
        db.session.commit()
    return result


def outside_transaction(work: Callable[[], T]) -> T:
    """Run `work` (reading an uploaded file) while the request holds no transaction, and so no lock.

    A writing request's first query begins SQLite's BEGIN IMMEDIATE; an upload door has by then only read (who
    is asking, may they), so that transaction ends first, as in `write_apart`, and the next query begins a new
    one. A query inside `work` is a programming error and raises: a parse must never hold the write lock.
    """
    from .extensions import db

    db.session.commit()
    before = g.get("tracker_outside_transaction", False)
    g.tracker_outside_transaction = True
    try:
        return work()
    finally:
        g.tracker_outside_transaction = before


def receive_uploads_first(app: Flask) -> None:
    """A multipart body (a file upload) is received whole before the request's first query, so a client sending
    it slowly holds no transaction and no lock meanwhile: the body is otherwise read when a view or the API's
    argument parser first asks for it, after authentication has begun the transaction (IMMEDIATE on SQLite).
    The size limit (MAX_CONTENT_LENGTH) holds here as anywhere; the web's CSRF check read the body this early
    already."""

    @app.before_request
    def receive_body() -> None:
        if request.mimetype == "multipart/form-data":
            _ = request.files  # werkzeug parses the whole body now, files into temporary files


def engine_options(url: str, busy_timeout_ms: int, base: dict[str, Any]) -> dict[str, Any]:
    """A SQLite file never drops a connection, so it gets no ping before each request (one statement saved)."""
    options = dict(base)
    if url.startswith("sqlite"):
        options.setdefault("connect_args", {})["timeout"] = busy_timeout_ms / 1000
        options["pool_pre_ping"] = False
    return options
