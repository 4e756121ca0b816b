"""The audit trail as a hash chain.

Each event stores the hash of the previous event and a hash over that plus its own content, so editing any
field of any past row (or deleting or reordering rows) breaks verification at that row. Appends are
serialised: on PostgreSQL by a transaction-level advisory lock, on SQLite by its single writer (every
transaction begins IMMEDIATE); the unique constraint on `prev_hash` forbids a fork should both fail.

Times are hashed in UTC, the form the database gives back: an event written with a time in the plan's zone
(`scan-overdue --at 2024-01-01T00:00`, the demo's clock) would otherwise be hashed as "+08:00" and read back
as "+00:00", and the chain would break in normal use.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from enum import Enum
from typing import IO, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...extensions import db
from ...models import Event, User
from ..io import exports
from ..work import live_events

GENESIS_HASH = "0" * 64
_PG_AUDIT_LOCK = 0x7472616B  # "trak": one lock id for the whole chain


def utc(at: datetime) -> datetime:
    """An aware time in UTC; a naive one is refused, since no one can tell which zone it meant."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"naive datetime given to the audit trail: {at!r}")
    return at.astimezone(timezone.utc)


def jsonable(value: Any) -> Any:
    """Plain JSON values, so that what is hashed is exactly what the database gives back; aware times in UTC."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime) and value.tzinfo is not None:
        return utc(value).isoformat()
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def event_hash(prev_hash: str, event: Event) -> str:
    content = {
        "at": utc(event.at).isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "item_id": event.item_id,
        "before": event.before,
        "after": event.after,
    }
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def record(*, actor: User | None, action: str, entity_type: str, entity_id: int | None, now: datetime,
           item_id: int | None = None, before: dict[str, Any] | None = None,
           after: dict[str, Any] | None = None, actor_label: str | None = None) -> Event:
    """Append one event in the caller's transaction. `actor` None means the system (loader, scheduler).

    `now` may be in any zone (it is stored and hashed in UTC); a naive `now` raises ValueError.
    """
    now = utc(now)
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_AUDIT_LOCK)))
    prev = session.execute(sa.select(Event.hash).order_by(Event.id.desc()).limit(1)).scalar()
    event = Event(
        at=now,
        actor_id=actor.id if actor else None,
        actor_label=actor.username if actor else (actor_label or "system"),
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        item_id=item_id,
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        prev_hash=prev or GENESIS_HASH,
    )
    event.hash = event_hash(event.prev_hash, event)
    session.add(event)
    session.flush()
    if item_id is not None:
        live_events.note(item_id, action, now)
    return event



_INSERTED = ("at", "actor_id", "actor_label", "action", "entity_type", "entity_id", "item_id", "before", "after",
             "prev_hash", "hash")


def record_many(*, actor_label: str, action: str, entity_type: str, now: datetime,
                entries: Sequence[tuple[int | None, int | None, dict[str, Any]]]) -> None:
    """Append one system event per (entity id, item id, after), chained like record()'s, with one lock, one read
    and batched inserts: a scan that writes an event on each of a thousand items costs no more statements than
    one that writes on ten."""
    if not entries:
        return
    at = utc(now)
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_AUDIT_LOCK)))
    prev = session.execute(sa.select(Event.hash).order_by(Event.id.desc()).limit(1)).scalar() or GENESIS_HASH
    rows = []
    for entity_id, item_id, after in entries:
        event = Event(at=at, actor_id=None, actor_label=actor_label, action=action, entity_type=entity_type,
                      entity_id=entity_id, item_id=item_id, before=None, after=jsonable(after), prev_hash=prev)
        event.hash = prev = event_hash(prev, event)
        rows.append({column: getattr(event, column) for column in _INSERTED})
        if item_id is not None:
            live_events.note(item_id, action, at)
    session.flush()
    session.execute(sa.insert(Event), rows)

EXPORT_COLUMNS = ("id", "at", "actor_id", "actor_label", "action", "entity_type", "entity_id", "item_id", "before",
                  "after", "prev_hash", "hash")


def export_csv(stream: IO[str], *, start: datetime, end: datetime, batch: int = 5000) -> int:
    """Write the events of [start, end) as CSV for an auditor (UTF-8 with BOM for Excel, every text cell plain
    text: a failed login name is whatever a stranger typed); returns the count."""
    events = db.session.scalars(sa.select(Event).where(Event.at >= start, Event.at < end).order_by(Event.id)
                                .execution_options(yield_per=batch))
    try:
        return exports.write_csv(stream, EXPORT_COLUMNS, (_export_row(event) for event in events))
    finally:
        events.close()


def _export_row(event: Event) -> list[Any]:
    row = [getattr(event, column) for column in EXPORT_COLUMNS]
    row[1] = event.at.isoformat()
    row[8:10] = [json.dumps(v, ensure_ascii=False, sort_keys=True) if v is not None else "" for v in row[8:10]]
    return row


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_bad_id: int | None
    problem: str | None
    last_hash: str

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


def verify_chain(batch: int = 5000, *, session: Session | None = None) -> ChainReport:
    """Walk the chain in id order; name the first row whose link or content does not verify. `session` reads
    another database than the app's (a restore checks its scratch copy)."""
    expected_prev = GENESIS_HASH
    checked = 0
    events = (session or db.session).scalars(sa.select(Event).order_by(Event.id).execution_options(yield_per=batch))
    try:
        for event in events:
            if event.prev_hash != expected_prev:
                return ChainReport(checked, event.id, "prev_hash does not match the previous event", expected_prev)
            if event_hash(event.prev_hash, event) != event.hash:
                return ChainReport(checked, event.id, "content does not match its hash", expected_prev)
            expected_prev = event.hash
            checked += 1
    finally:
        events.close()
    return ChainReport(checked, None, None, expected_prev)
