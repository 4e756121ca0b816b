"""Engine settings per dialect.

SQLite: foreign keys on, WAL, a busy timeout, and every transaction begun IMMEDIATE by us rather than by
pysqlite. This is SQLAlchemy's documented workaround that makes SAVEPOINTs correct, and taking the write lock
at BEGIN avoids SQLITE_BUSY when a reading transaction later writes (the audit chain reads, then appends).
"""
from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine


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
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def engine_options(url: str, busy_timeout_ms: int, base: dict[str, Any]) -> dict[str, Any]:
    options = dict(base)
    if url.startswith("sqlite"):
        options.setdefault("connect_args", {})["timeout"] = busy_timeout_ms / 1000
    return options
