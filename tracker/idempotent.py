"""Insert-or-ignore, the one idiom that makes the scheduler's writes idempotent on SQLite and PostgreSQL alike.

A row whose unique key already exists is skipped by the database itself, so two writers racing on the same key,
or a rerun after a crash, can never produce a second row.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from .extensions import db

CHUNK = 5000


def insert_or_ignore(table: sa.Table, rows: Sequence[dict[str, Any]], *, key: Sequence[str]) -> None:
    """Insert rows, skipping any whose `key` columns match a row already there. Flushes the session first."""
    if not rows:
        return
    db.session.flush()
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(table).on_conflict_do_nothing(index_elements=list(key))
    for start in range(0, len(rows), CHUNK):
        db.session.execute(stmt, list(rows[start:start + CHUNK]))


def insert_select_or_ignore(table: sa.Table, columns: Sequence[str], select: sa.Select[Any], *,
                            key: Sequence[str]) -> int:
    """INSERT ... SELECT, skipping rows whose `key` already exists; returns how many rows were inserted."""
    db.session.flush()
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(table).from_select(list(columns), select).on_conflict_do_nothing(index_elements=list(key))
    result = db.session.execute(stmt, execution_options={"preserve_rowcount": True})
    return cast(sa.CursorResult[Any], result).rowcount  # an INSERT's result is a cursor's


def refresh_statistics(table: sa.Table) -> None:
    """Let PostgreSQL's planner see a table that just grew by many rows (as after a bulk load).

    Planned against statistics saying "empty", the next NOT EXISTS on it becomes a nested loop over a
    sequential scan, quadratic in its size; autovacuum would notice only later. SQLite needs nothing.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text(f"ANALYZE {table.name}"))


def serialise(lock_id: int) -> None:
    """Make concurrent transactions doing the same job take turns.

    PostgreSQL: a transaction-level advisory lock, released at commit or rollback. SQLite needs nothing: every
    transaction here begins IMMEDIATE (see database.py), so writers already queue.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(lock_id)))
