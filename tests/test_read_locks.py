"""A read takes no write lock: while a writer holds its transaction open, reading requests still answer.

On SQLite a read-only request begins a deferred transaction (tracker/database.py); every transaction used to
begin IMMEDIATE, so a reader waited for the writer's lock and, after the busy timeout, failed. On PostgreSQL
readers never wait for writers; the same test holds there too.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
import time_machine
from flask import Flask
from tests.account_helpers import PASSWORD, _office_with_token

from tracker.extensions import db
from tracker.models import Unit, UserSession


def test_two_readers_answer_while_a_writer_holds_its_lock(committed_app: Flask) -> None:
    token = _office_with_token(committed_app)
    browser = committed_app.test_client()
    assert browser.post("/login", data={"username": "reader", "password": PASSWORD}).status_code == 302
    answers: dict[str, int] = {}

    def read(name: str, request: dict[str, object]) -> None:
        client = browser if name == "page" else committed_app.test_client()
        answers[name] = client.get(**request).status_code  # type: ignore[arg-type]

    with committed_app.app_context(), db.engine.connect() as writer:
        writer.begin()
        writer.execute(sa.update(Unit).where(Unit.key == "sfj").values(name="市司法局(写入中)"))
        readers = [threading.Thread(target=read, args=("api", {"path": "/api/v1/board?limit=5",
                                                                "headers": {"Authorization": f"Bearer {token}"}})),
                   threading.Thread(target=read, args=("page", {"path": "/board"}))]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join(60)
        writer.rollback()
    assert answers == {"api": 200, "page": 200}


def test_a_session_touched_after_another_writer_committed_is_still_served(committed_app: Flask) -> None:
    """The touch follows a read in a read request: done in the read's transaction, it would fail with
    SQLITE_BUSY_SNAPSHOT here, since another connection commits between the session's lookup and its touch."""
    _office_with_token(committed_app)
    browser = committed_app.test_client()
    assert browser.post("/login", data={"username": "reader", "password": PASSWORD}).status_code == 302
    committed = []

    def commit_elsewhere_after_the_session_lookup(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM user_sessions" in statement and not committed:
            committed.append(True)
            with db.engine.connect() as other, other.begin():
                other.execute(sa.update(Unit).where(Unit.key == "sfj").values(name="市司法局(另一写入)"))

    with committed_app.app_context():
        sa.event.listen(db.engine, "after_cursor_execute", commit_elsewhere_after_the_session_lookup)
        try:
            with time_machine.travel(datetime.now(timezone.utc) + timedelta(minutes=5)):
                assert browser.get("/board").status_code == 200
        finally:
            sa.event.remove(db.engine, "after_cursor_execute", commit_elsewhere_after_the_session_lookup)
        seen = db.session.execute(sa.select(UserSession.last_seen_at)).scalar_one()
        db.session.remove()
    assert committed and seen > datetime.now(timezone.utc) + timedelta(minutes=4)
