"""What a weekly digest says: the data snapshot for each unit and for the office, as plain JSON values.

Everything is read in a handful of set queries and grouped in Python, so one round costs the same few queries
whether there are 30 units or 150, and the snapshot stored with each digest is exactly what was rendered.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypedDict

import sqlalchemy as sa

from ...extensions import db
from ...models import AccountabilityRecord, ItemStatus, Phase, RecordStatus, Task, TaskGroup, Unit, User, WorkItem
from ...models.accountability import LADDER_KIND
from ..assessment import reporting_duty
from ..plan import wording
from ..work.boards import AD_HOC_GROUP
from ..work.deadlines import days_overdue
from .ladder import Level
from ..work.workflow import returned_by

TOP_LIMIT = 10


@dataclass(frozen=True)
class ItemRow:
    id: int
    unit_id: int
    title: str
    status: str
    due_date: date | None
    phase_id: int
    group_id: int | None  # None: an ad-hoc item (交办事项)
    closed_late: bool | None
    returned_count: int
    last_return_reason: str | None
    responsible: str | None


class OverdueEntry(TypedDict):
    """An overdue item as a unit's digest lists it."""
    id: int
    title: str
    due_date: str
    status: str
    days_overdue: int
    level: str | None
    responsible: str | None


@dataclass
class Snapshot:
    today: date
    since: datetime
    units: dict[int, Unit]
    items: list[ItemRow]
    levels: dict[int, int]
    awaiting: dict[int, list[dict[str, Any]]]
    new_records: dict[int, Counter[str]]
    phases: dict[int, str]
    groups: dict[int | None, str]
    missed: dict[int, list[dict[str, Any]]]  # the week's missed periodic reports per unit (未按时报送)
    returned_by: dict[int, str]  # who returned each item now returned (the office, or the district that split it)

    def __post_init__(self) -> None:
        self.by_unit: dict[int, list[ItemRow]] = defaultdict(list)
        for item in self.items:
            self.by_unit[item.unit_id].append(item)


def load_snapshot(*, today: date, now: datetime) -> Snapshot:
    """Read what every digest of a round needs, once."""
    items_t = WorkItem.__table__
    rows = db.session.execute(
        sa.select(items_t.c.id, items_t.c.unit_id, wording.title_column(items_t), items_t.c.status, items_t.c.due_date,
                  items_t.c.phase_id, Task.group_id, items_t.c.closed_late, items_t.c.returned_count,
                  items_t.c.last_return_reason, User.display_name)
        .outerjoin(Task, Task.id == items_t.c.task_id).outerjoin(User, User.id == items_t.c.responsible_user_id)
        .where(items_t.c.cancelled_at.is_(None))
    ).all()
    return Snapshot(
        today=today, since=now - timedelta(days=7),
        units={u.id: u for u in db.session.scalars(sa.select(Unit))},
        items=[ItemRow(*row) for row in rows],
        levels=_current_levels(), awaiting=_awaiting_answer(today), new_records=_new_records(now),
        phases=dict(db.session.execute(sa.select(Phase.id, Phase.name).order_by(Phase.seq)).all()),
        groups={**dict(db.session.execute(sa.select(TaskGroup.id, TaskGroup.title).order_by(TaskGroup.seq)).all()),
                None: AD_HOC_GROUP[0]},
        missed=reporting_duty.flagged_between(now - timedelta(days=7), now),
        returned_by=returned_by([row.id for row in rows
                                 if row.status == ItemStatus.IN_PROGRESS and row.returned_count > 0]),
    )


def _current_levels() -> dict[int, int]:
    """Highest ladder level each item reached for its current due date (a new cycle starts from none)."""
    records, items = AccountabilityRecord.__table__, WorkItem.__table__
    return dict(db.session.execute(
        sa.select(records.c.item_id, sa.func.max(records.c.level))
        .join(items, sa.and_(items.c.id == records.c.item_id, items.c.due_date == records.c.due_date))
        .where(records.c.kind == LADDER_KIND, items.c.status != ItemStatus.DONE.value)
        .group_by(records.c.item_id)
    ).all())


def _awaiting_answer(today: date) -> dict[int, list[dict[str, Any]]]:
    records = AccountabilityRecord.__table__
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for rec_id, item_id, unit_id, name, answer_due, title in db.session.execute(
        sa.select(records.c.id, records.c.item_id, records.c.unit_id, records.c.level_name, records.c.answer_due,
                  wording.title_column())
        .join(WorkItem, WorkItem.id == records.c.item_id)
        .where(records.c.answer_due.is_not(None), records.c.answered_at.is_(None),
               records.c.status == RecordStatus.OPEN.value)
        .order_by(records.c.answer_due, records.c.id)
    ):
        found[unit_id].append({"record_id": rec_id, "item_id": item_id, "title": title, "level_name": name,
                               "answer_due": answer_due.isoformat(), "late": answer_due < today})
    return found


def _new_records(now: datetime) -> dict[int, Counter[str]]:
    records = AccountabilityRecord.__table__
    found: dict[int, Counter[str]] = defaultdict(Counter)
    for unit_id, name, count in db.session.execute(
        sa.select(records.c.unit_id, records.c.level_name, sa.func.count())
        .where(records.c.issued_at > now - timedelta(days=7), records.c.issued_at <= now)
        .group_by(records.c.unit_id, records.c.level_name)
    ):
        found[unit_id][name] += count
    return found


def unit_data(snap: Snapshot, unit: Unit, *, ladder: Sequence[Level], due_soon_days: int) -> dict[str, Any]:
    """One unit's digest: its overdue items with days and level, what falls due soon, returns, notices owed."""
    names = {lv.level: lv.name for lv in ladder}
    mine = [i for i in snap.by_unit.get(unit.id, []) if i.status != ItemStatus.DONE]
    horizon = snap.today + timedelta(days=due_soon_days)
    overdue: list[OverdueEntry] = sorted((
        {"id": i.id, "title": i.title, "due_date": i.due_date.isoformat(), "status": i.status,
         "days_overdue": days_overdue(i.due_date, snap.today), "level": names.get(snap.levels.get(i.id, 0)),
         "responsible": i.responsible}
        for i in mine if i.due_date is not None and i.due_date < snap.today),
        key=lambda d: (-d["days_overdue"], d["id"]))
    due_soon = sorted((
        {"id": i.id, "title": i.title, "due_date": i.due_date.isoformat(),
         "days_left": (i.due_date - snap.today).days, "responsible": i.responsible}
        for i in mine if i.due_date is not None and snap.today <= i.due_date <= horizon),
        key=lambda d: (d["due_date"], d["id"]))
    returned = [{"id": i.id, "title": i.title, "reason": i.last_return_reason or "", "by": snap.returned_by.get(i.id)}
                for i in mine if i.status == ItemStatus.IN_PROGRESS and i.returned_count > 0]
    return {
        "unit": {"key": unit.key, "name": unit.name, "short_name": unit.short_name},
        "as_of": snap.today.isoformat(), "due_soon_days": due_soon_days,
        "overdue": overdue, "due_soon": due_soon, "returned": returned,
        "awaiting_answer": snap.awaiting.get(unit.id, []),
        "missed_reports": snap.missed.get(unit.id, []),
        "counts": {"open": len(mine), "overdue": len(overdue), "due_soon": len(due_soon),
                   "returned": len(returned), "awaiting_answer": len(snap.awaiting.get(unit.id, []))},
    }


def office_data(snap: Snapshot, *, ladder: Sequence[Level]) -> dict[str, Any]:
    """The office's digest: per-unit standing and rankings, the week's new records, completion, 通报 units."""
    top_level = ladder[-1].level
    per_unit: dict[int, Counter[str]] = defaultdict(Counter)
    bulletin: Counter[int] = Counter()
    by_phase: dict[int, Counter[str]] = defaultdict(Counter)
    by_group: dict[int | None, Counter[str]] = defaultdict(Counter)
    for i in snap.items:
        counts = per_unit[i.unit_id]
        done = i.status == ItemStatus.DONE
        counts["total"] += 1
        by_phase[i.phase_id]["total"] += 1
        by_group[i.group_id]["total"] += 1
        if done:
            counts["done"] += 1
            counts["done_late" if i.closed_late else "done_on_time"] += 1
            by_phase[i.phase_id]["done"] += 1
            by_group[i.group_id]["done"] += 1
        elif i.due_date is not None and i.due_date < snap.today:
            counts["overdue"] += 1
            if snap.levels.get(i.id) == top_level:
                bulletin[i.unit_id] += 1
    units = [_unit_row(snap.units[uid], c) for uid, c in per_unit.items()]
    units.sort(key=lambda r: (-r["overdue"], r["key"]))
    new_by_level: Counter[str] = Counter()
    for counter in snap.new_records.values():
        new_by_level.update(counter)
    return {
        "as_of": snap.today.isoformat(),
        "units": units,
        "most_overdue": [r for r in units if r["overdue"]][:TOP_LIMIT],
        "most_on_time": sorted((r for r in units if r["done_on_time"]),
                               key=lambda r: (-r["done_on_time"], r["key"]))[:TOP_LIMIT],
        "new_records": {"total": sum(new_by_level.values()), "by_level": dict(sorted(new_by_level.items()))},
        "by_phase": [_completion(name, by_phase[pid]) for pid, name in snap.phases.items() if pid in by_phase],
        "by_group": [_completion(name, by_group[gid]) for gid, name in snap.groups.items() if gid in by_group],
        "bulletin_units": [{"key": snap.units[uid].key, "name": snap.units[uid].short_name, "count": n}
                           for uid, n in sorted(bulletin.items(), key=lambda kv: (-kv[1], snap.units[kv[0]].key))],
        "totals": {"total": len(snap.items), "overdue": sum(r["overdue"] for r in units),
                   "done": sum(r["done"] for r in units)},
    }


def _unit_row(unit: Unit, counts: Counter[str]) -> dict[str, Any]:
    return {"key": unit.key, "name": unit.short_name, "total": counts["total"], "done": counts["done"],
            "overdue": counts["overdue"], "done_on_time": counts["done_on_time"], "done_late": counts["done_late"]}


def _completion(name: str, counts: Counter[str]) -> dict[str, Any]:
    total, done = counts["total"], counts["done"]
    return {"name": name, "total": total, "done": done, "rate": round(100 * done / total, 1) if total else 0.0}
