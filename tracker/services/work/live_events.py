"""What open pages are told: one row per item a committed transaction changed (live boards, issue 22).

Every change to an item writes an audit event (services/trust/audit.py), and the audit notes the item here. When
the transaction commits (the one commit point, tracker/transaction.py, calls `write_pending` just before), one
`live_events` row per item is written in that same transaction: nothing is announced that did not commit, and
a rolled-back change announces nothing. On PostgreSQL the rows are written under a transaction-level advisory
lock held to the commit, so ids are assigned in commit order and a reader that has seen id N has seen every id
below it; the same transaction's `pg_notify` is delivered at the commit and wakes the listeners at once. On
SQLite the single writer gives the same order, and the stream polls the table by id.

Each row names the units whose people may see the item (its lead and cooperating units, and those it had before
the change, so a card reassigned away leaves the old unit's board). Whether a person sees it is asked of
permissions.Sight, the predicate the board's own query is built from.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from ...extensions import db
from ...models import ItemUnit, LiveEvent, WorkItem

CHANNEL = "tracker_live"  # the PostgreSQL NOTIFY channel the stream's listener waits on
KEEP = timedelta(days=1)  # a page away longer than this reloads what it shows instead of replaying
PRUNE_EVERY = 500  # rows: the old ones go when an id passes a multiple of this
_PG_LIVE_LOCK = 0x6C697665  # "live"
_PENDING = "tracker_live_pending"  # session.info: item id -> (kind, time) noted in this transaction
_BEFORE = "tracker_live_units_before"  # session.info: item id -> units the item had when loaded


@dataclass(frozen=True)
class Change:
    """One announced change, as the stream sends it."""

    id: int
    item_id: int
    kind: str
    version: int | None
    unit_ids: tuple[int, ...]


def note(item_id: int, kind: str, now: datetime) -> None:
    """The current transaction changed this item (called by the audit trail for every item event)."""
    db.session.info.setdefault(_PENDING, {})[item_id] = (kind, now)


def remember_units_before(session: Session) -> None:
    """Before a flush: the units an item had before this transaction moved it away from them (its lead unit
    changed, a cooperating unit removed), so their boards hear that the card left."""
    before: dict[int, set[int]] = session.info.setdefault(_BEFORE, {})
    for obj in session.dirty:
        if isinstance(obj, WorkItem):
            old = inspect(obj).attrs.unit_id.history.deleted
            before.setdefault(obj.id, set()).update(u for u in old if u is not None)
    for obj in session.deleted:
        if isinstance(obj, ItemUnit):
            before.setdefault(obj.item_id, set()).add(obj.unit_id)


def forget(session: Session) -> None:
    """The transaction ended without a commit: what it noted is not announced."""
    session.info.pop(_PENDING, None)
    session.info.pop(_BEFORE, None)


def write_pending(session: Session) -> None:
    """Just before the commit: one row per item noted, in this transaction; on PostgreSQL a NOTIFY with it."""
    pending: dict[int, tuple[str, datetime]] = session.info.pop(_PENDING, {})
    before: dict[int, set[int]] = session.info.pop(_BEFORE, {})
    if not pending:
        return
    session.flush()
    ids = sorted(pending)
    units = {i: set(before.get(i, ())) for i in ids}
    versions: dict[int, int] = {}
    for item_id, unit_id, version in session.execute(
            sa.select(WorkItem.id, WorkItem.unit_id, WorkItem.version).where(WorkItem.id.in_(ids))):
        units[item_id].add(unit_id)
        versions[item_id] = version
    for item_id, unit_id in session.execute(
            sa.select(ItemUnit.item_id, ItemUnit.unit_id).where(ItemUnit.item_id.in_(ids))):
        units[item_id].add(unit_id)
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_LIVE_LOCK)))
    rows = [{"at": pending[i][1], "item_id": i, "kind": pending[i][0], "version": versions.get(i),
             "unit_ids": sorted(units[i])} for i in ids]
    newest = session.execute(sa.insert(LiveEvent).returning(LiveEvent.id), rows).scalars().all()
    if postgres:
        session.execute(sa.select(sa.func.pg_notify(CHANNEL, "")))
    if any(n % PRUNE_EVERY < len(rows) for n in newest):
        oldest_kept = max(at for _kind, at in pending.values()) - KEEP
        session.execute(sa.delete(LiveEvent).where(LiveEvent.at < oldest_kept))


def last_id(session: Session | None = None) -> int:
    """The newest event's id (0 when none): a page rendered now has seen everything up to it."""
    return (session or db.session).execute(sa.select(sa.func.max(LiveEvent.id))).scalar() or 0


def after(after_id: int, *, upto: int | None = None, limit: int = 1000,
          session: Session | None = None) -> list[Change]:
    """The events after `after_id` (up to `upto`), oldest first."""
    stmt = sa.select(LiveEvent).where(LiveEvent.id > after_id).order_by(LiveEvent.id).limit(limit)
    if upto is not None:
        stmt = stmt.where(LiveEvent.id <= upto)
    return [Change(e.id, e.item_id, e.kind, e.version, tuple(e.unit_ids))
            for e in (session or db.session).scalars(stmt)]


def missed_some(after_id: int, session: Session | None = None) -> bool:
    """True when events after `after_id` were pruned: the page must reload what it shows, not replay."""
    oldest = (session or db.session).execute(sa.select(sa.func.min(LiveEvent.id))).scalar()
    return oldest is not None and after_id + 1 < oldest

