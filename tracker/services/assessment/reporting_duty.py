"""The periodic reporting duty (定期报送): which items missed a report, flagged by the daily scan, and counted.

An item owes a report for a period when, at the end of the period's deadline day (in the plan's time zone), it
was in progress: signed (签收) and neither submitted for review, approved nor cancelled. That state is read from
the item's transitions in the audit trail as of the deadline, never from its state today, so a scan replayed
days later (the scheduler's catch-up) flags exactly what a scan on the day would have. The duty is met by any
progress update (a submission's closing report included) posted in the period by a user of the item's lead
unit; cooperating units report on their part but do not owe the periodic report.

Each scan looks at the latest period of every rhythm in force whose deadline day is over; a missed report is
one MissedReport row per item and period (insert-or-ignore on that key), written in the scan's transaction
with an audit event on the item, and each unit is told once per scan, in one notification listing its items.
A missed report is a fact: a later update does not remove it.
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ...extensions import db
from ...models import Event, ItemStatus, MissedReport, ProgressUpdate, Task, Unit, User, WorkItem
from ..ledger import notifications
from ..plan import wording
from ..trust import audit, permissions
from ..ledger.alerts import scan_batch
from ...idempotent import insert_or_ignore
from ..ledger.notifications import Entry
from ..plan.reporting_rhythms import Period, effective, last_period

SCANNER = "scheduler"
KEY = ("item_id", "period")
TRANSITIONS = ("item.sign", "item.submit", "item.return", "item.approve")
IN_PROGRESS_AFTER = ("item.sign", "item.return")  # the transitions that leave an item in progress
LISTED_TITLES = 10  # a notification names this many items, then says how many more


def flag_missed(*, now: datetime, today: date, timezone: str) -> int:
    """Record the missed reports of the latest period of each rhythm whose deadline is before `today`, notify
    the units, and return how many were new. Idempotent; the caller holds the scan's lock and transaction.

    Its statements do not grow with the number of items: two reads per rhythm in force, then batched writes.
    """
    zone = ZoneInfo(timezone)
    found: list[tuple[Period, int, int, str]] = []
    for rhythm, (group_ids, plan_ids) in effective().items():
        period = last_period(rhythm, today=today)
        if period is not None:
            found += [(period, *row) for row in _missing(period, group_ids, plan_ids, zone)]
    if not found:
        return 0
    insert_or_ignore(MissedReport.__table__, [
        {"item_id": item_id, "unit_id": unit_id, "period": period.key, "due_on": period.due_on, "flagged_at": now}
        for period, item_id, unit_id, _ in found], key=KEY)
    ids = _ids_of({(item_id, period.key) for period, item_id, _, _ in found})
    audit.record_many(actor_label=SCANNER, action="item.missed_report", entity_type="missed_report", now=now,
                      entries=[(ids[item_id, period.key], item_id, {"period": period.key, "due_on": period.due_on,
                                                                    "unit_id": unit_id})
                               for period, item_id, unit_id, _ in found])
    _notify(found, now=now, today=today)
    return len(found)


def _bounds(period: Period, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants a period's reports fall between: the start of the day after the previous deadline, and the
    end of the deadline day (exclusive), both at midnight in the plan's time zone."""
    def midnight_after(day: date) -> datetime:
        return datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
    return midnight_after(period.opens_after), midnight_after(period.due_on)


def _missing(period: Period, group_ids: Collection[int], plan_ids: Collection[int],
             zone: ZoneInfo) -> list[tuple[int, int, str]]:
    """(item id, lead unit id, title) of the items governed by one rhythm that owed a report for `period`, sent
    none, and are not flagged for it yet: one statement, whatever the number of items."""
    opens, closes = _bounds(period, zone)
    last_transition = (sa.select(Event.action)
                       .where(Event.item_id == WorkItem.id, Event.action.in_(TRANSITIONS), Event.at < closes)
                       .order_by(Event.id.desc()).limit(1).scalar_subquery())
    reported = sa.exists().where(ProgressUpdate.item_id == WorkItem.id, ProgressUpdate.at >= opens,
                                 ProgressUpdate.at < closes, ProgressUpdate.author_id == User.id,
                                 User.unit_id == WorkItem.unit_id)
    flagged = sa.exists().where(MissedReport.item_id == WorkItem.id, MissedReport.period == period.key)
    governed = sa.or_(Task.group_id.in_(sorted(group_ids)),
                      sa.and_(WorkItem.task_id.is_(None), WorkItem.plan_id.in_(sorted(plan_ids))))
    query = (sa.select(WorkItem.id, WorkItem.unit_id, wording.title_column())
             .outerjoin(Task, Task.id == WorkItem.task_id)
             .where(governed, WorkItem.status != ItemStatus.ASSIGNED, WorkItem.created_at < closes,
                    sa.or_(WorkItem.completed_at.is_(None), WorkItem.completed_at >= closes),
                    sa.or_(WorkItem.cancelled_at.is_(None), WorkItem.cancelled_at >= closes),
                    ~flagged, ~reported, last_transition.in_(IN_PROGRESS_AFTER))
             .order_by(WorkItem.id))
    return [(item_id, unit_id, title) for item_id, unit_id, title in db.session.execute(query)]


def _ids_of(keys: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    periods = {period for _, period in keys}
    rows = db.session.execute(sa.select(MissedReport.id, MissedReport.item_id, MissedReport.period).where(
        MissedReport.period.in_(sorted(periods)), MissedReport.item_id.in_(sorted({i for i, _ in keys}))))
    return {(item_id, period): rid for rid, item_id, period in rows}


def notice_text(titles: list[str], period: Period) -> str:
    """What a unit reads, e.g. "未按时报送:2024-05 期进展应于 2024-05-25 前报送,以下 2 项未报送:《甲》《乙》"."""
    shown = "".join(f"《{t}》" for t in titles[:LISTED_TITLES])
    more = f"等 {len(titles)} 项" if len(titles) > LISTED_TITLES else ""
    return f"未按时报送:{period.key} 期进展应于 {period.due_on} 前报送,以下 {len(titles)} 项未报送:{shown}{more}"


def _notify(found: list[tuple[Period, int, int, str]], *, now: datetime, today: date) -> None:
    """One notification per unit and period, listing the items this scan flagged (linked to the item when there
    is one); keyed by the scan's day, so a rerun of the day adds none and a later day's new flags are told."""
    grouped: dict[tuple[int, Period], list[tuple[int, str]]] = {}
    for period, item_id, unit_id, title in found:
        grouped.setdefault((unit_id, period), []).append((item_id, title))
    notifications.write([
        Entry(notifications.MISSED_REPORT, notice_text([t for _, t in items], period), unit_id=unit_id,
              item_id=items[0][0] if len(items) == 1 else None,
              dedupe_key=f"missed:{today}:{period.key}:u{unit_id}")
        for (unit_id, period), items in sorted(grouped.items(), key=lambda kv: (kv[0][0], kv[0][1].due_on))
    ], now=now, batch_key=scan_batch(today))


# --- reading ----------------------------------------------------------------------------------------------

def missed_reports(*, start: date, end: date, unit_ids: Collection[int] | None = None) -> list[MissedReport]:
    """Every missed report whose deadline (`due_on`) lies within [start, end], of the given units or of all,
    oldest deadline first. Callers decide who may see which units (permissions.subtree_ids for a unit)."""
    query = sa.select(MissedReport).where(MissedReport.due_on >= start, MissedReport.due_on <= end)
    if unit_ids is not None:
        query = query.where(MissedReport.unit_id.in_(sorted(unit_ids)))
    return list(db.session.scalars(query.order_by(MissedReport.due_on, MissedReport.unit_id, MissedReport.item_id)))


def of_item(item_id: int) -> list[MissedReport]:
    """An item's missed periods, oldest first."""
    return list(db.session.scalars(sa.select(MissedReport).where(MissedReport.item_id == item_id)
                                   .order_by(MissedReport.due_on)))


def count_by_item(item_ids: Collection[int]) -> dict[int, int]:
    """How many periods each item missed (items with none are absent): one query for a whole board."""
    if not item_ids:
        return {}
    return dict(db.session.execute(sa.select(MissedReport.item_id, sa.func.count()).where(
        MissedReport.item_id.in_(sorted(item_ids))).group_by(MissedReport.item_id)).all())


def count_by_unit(unit_ids: Collection[int] | None = None) -> dict[int, int]:
    """How many reports each unit missed, of the given units or of all."""
    query = sa.select(MissedReport.unit_id, sa.func.count()).group_by(MissedReport.unit_id)
    if unit_ids is not None:
        query = query.where(MissedReport.unit_id.in_(sorted(unit_ids)))
    return dict(db.session.execute(query).all())


@dataclass(frozen=True)
class MissedRow:
    """A missed report as people read it: the item's title and task, the unit's name."""

    id: int
    item_id: int
    item_title: str
    task_number: int | None
    unit_id: int
    unit_name: str
    period: str
    due_on: date
    flagged_at: datetime


def listing(*, actor: User, unit_id: int | None = None, item_id: int | None = None, start: date | None = None,
            end: date | None = None, limit: int = 200, offset: int = 0) -> list[MissedRow]:
    """Missed reports the actor may see, latest deadline first: the office and leaders see every unit's, a
    unit its own (as with accountability records); filters by unit, item and deadline range."""
    query = (sa.select(MissedReport.id, MissedReport.item_id, wording.title_column(), Task.number, MissedReport.unit_id,
                       Unit.short_name, MissedReport.period, MissedReport.due_on, MissedReport.flagged_at)
             .join(WorkItem, WorkItem.id == MissedReport.item_id).outerjoin(Task, Task.id == WorkItem.task_id)
             .join(Unit, Unit.id == MissedReport.unit_id))
    query = _visible(query, actor=actor, start=start, end=end)
    for column, value in ((MissedReport.unit_id, unit_id), (MissedReport.item_id, item_id)):
        if value is not None:
            query = query.where(column == value)
    query = query.order_by(MissedReport.due_on.desc(), Unit.short_name, MissedReport.item_id)
    return [MissedRow(*row) for row in db.session.execute(query.limit(limit).offset(offset))]


def unit_totals(*, actor: User, start: date | None = None, end: date | None = None) -> list[tuple[int, str, int]]:
    """(unit id, short name, missed reports) for the units the actor may see (as listing()), most first."""
    query = (sa.select(MissedReport.unit_id, Unit.short_name, sa.func.count())
             .join(Unit, Unit.id == MissedReport.unit_id).group_by(MissedReport.unit_id, Unit.short_name))
    query = _visible(query, actor=actor, start=start, end=end)
    return sorted(((u, name, n) for u, name, n in db.session.execute(query)), key=lambda r: (-r[2], r[1]))


Query = TypeVar("Query", bound=sa.Select[*tuple[Any, ...]])


def _visible(query: Query, *, actor: User, start: date | None, end: date | None) -> Query:
    """Only what the actor may see (a unit: its own unit's), with deadlines within [start, end] when given."""
    if not permissions.sees_everything(actor):
        query = query.where(MissedReport.unit_id == actor.unit_id)
    if start is not None:
        query = query.where(MissedReport.due_on >= start)
    if end is not None:
        query = query.where(MissedReport.due_on <= end)
    return query


def flagged_between(start: datetime, end: datetime) -> dict[int, list[dict[str, Any]]]:
    """The missed reports flagged in (start, end], per unit, as plain values for a digest's stored snapshot."""
    found: dict[int, list[dict[str, Any]]] = {}
    for unit_id, item_id, title, period, due_on in db.session.execute(
            sa.select(MissedReport.unit_id, MissedReport.item_id, wording.title_column(), MissedReport.period,
                      MissedReport.due_on).join(WorkItem, WorkItem.id == MissedReport.item_id)
            .where(MissedReport.flagged_at > start, MissedReport.flagged_at <= end)
            .order_by(MissedReport.due_on, MissedReport.item_id)):
        found.setdefault(unit_id, []).append({"item_id": item_id, "title": title, "period": period,
                                              "due_on": due_on.isoformat()})
    return found
