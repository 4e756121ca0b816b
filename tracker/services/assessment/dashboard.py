"""The dashboard's figures: completion and overdue by phase, by group and by unit (a ranking), and the trend
week by week.

Rates a leader can trust are counted over the items due by the day shown, not over every item of the plan:
按期办结率 = done on time / due, 逾期率 = overdue now / due. Whole-plan progress (done / all items) is apart.
A rate always carries its base ("2/825 (0.2%)"): a bare "0%" hides whether 2 of 825 or nothing at all was due,
and a unit with nothing due has no rate and is not ranked.

One query loads the few columns of every item the actor may see; the counting is pure functions on those
rows, tested without a database. An item is overdue on a day when it is not done by that day and its due date
is before it (the same rule as deadlines.light, applied to any day, so past weeks can be redrawn).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ...extensions import db
from ...models import AccountabilityRecord, ItemStatus, Phase, RecordStatus, Task, TaskGroup, Unit, User, WorkItem
from ..trust import permissions
from ..work.boards import AD_HOC_GROUP


@dataclass(frozen=True)
class Row:
    phase_id: int
    group_id: int | None  # None: an ad-hoc item, counted in its own group 交办事项
    unit_id: int
    due_date: date | None
    done_on: date | None  # the local day it was approved, None while open
    item_id: int = 0


@dataclass(frozen=True)
class Rate:
    """A share with its base, shown as "2/825 (0.2%)"; with nothing due there is no rate to show."""

    part: int
    base: int

    @property
    def shown(self) -> str | None:
        return f"{self.part}/{self.base} ({self.percent})" if self.base else None

    @property
    def percent(self) -> str | None:
        """The share alone ("0.2%"): the wall screen's large figure, with `part/base` beneath it."""
        if not self.base:
            return None
        percent = 100 * self.part / self.base
        if 0 < percent < 0.1:
            words = "<0.1"
        elif 99.9 < percent < 100:
            words = ">99.9"
        else:
            words = f"{percent:.1f}".removesuffix(".0")
        return f"{words}%"

    @property
    def share(self) -> float:
        return self.part / self.base if self.base else 0.0


@dataclass
class Tally:
    total: int = 0
    done: int = 0
    overdue: int = 0
    done_late: int = 0
    due: int = 0  # due by the day shown (due date on or before it)
    done_on_time: int = 0  # of those, done by their due date

    @property
    def rate_on_time(self) -> Rate:
        """按期办结率: of the items due by today, the share done by their due date."""
        return Rate(self.done_on_time, self.due)

    @property
    def rate_overdue(self) -> Rate:
        """逾期率: of the items due by today, the share overdue now."""
        return Rate(self.overdue, self.due)

    @property
    def percent_done(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def percent_overdue(self) -> int:
        return round(100 * self.overdue / self.total) if self.total else 0


@dataclass(frozen=True)
class Week:
    start: date
    done: int  # done by the end of the week, cumulative
    overdue: int  # overdue at the end of the week
    total: int


@dataclass
class Dashboard:
    totals: Tally
    phases: list[tuple[str, Tally]] = field(default_factory=list)
    groups: list[tuple[str, Tally]] = field(default_factory=list)
    units: list[tuple[str, Tally]] = field(default_factory=list)  # ranked: units with something due
    units_not_due: list[str] = field(default_factory=list)  # units with nothing due yet: not ranked
    trend: list[Week] = field(default_factory=list)
    unit_lines: list[UnitLine] = field(default_factory=list)


@dataclass(frozen=True)
class UnitLine:
    """One unit's row of figures, each of which the page links to the cards (or records) behind it."""

    unit_id: int
    name: str
    figures: Tally
    open_supervision: int  # open 督办 records: answers owed now


def is_overdue(row: Row, day: date) -> bool:
    open_that_day = row.done_on is None or row.done_on > day
    return open_that_day and row.due_date is not None and row.due_date < day


FIGURES = ("due", "done_on_time", "done_late", "overdue")


def figures_of(row: Row, today: date) -> frozenset[str]:
    """The figures one item counts in on `today` (due, done, done_on_time, done_late, overdue): the one rule the
    dashboard's tallies sum and the board's `figure` filter lists, so a figure's link shows exactly its items."""
    found = set()
    due = row.due_date is not None and row.due_date <= today
    if due:
        found.add("due")
    if row.done_on is not None and row.done_on <= today:
        found.add("done")
        if row.due_date is not None and row.done_on > row.due_date:
            found.add("done_late")
        elif due:
            found.add("done_on_time")
    elif is_overdue(row, today):
        found.add("overdue")
    return frozenset(found)


def tally(rows: Iterable[Row], *, today: date) -> Tally:
    found = Tally()
    for row in rows:
        figures = figures_of(row, today)
        found.total += 1
        found.due += int("due" in figures)
        found.done += int("done" in figures)
        found.done_late += int("done_late" in figures)
        found.done_on_time += int("done_on_time" in figures)
        found.overdue += int("overdue" in figures)
    return found


def figure_item_ids(figure: str, *, actor: User, plan_id: int, today: date, timezone: str,
                    unit_id: int | None = None) -> tuple[int, ...]:
    """The items one of the dashboard's figures counts (of one unit, or all the actor sees)."""
    return tuple(row.item_id for row in load_rows(actor=actor, plan_id=plan_id, timezone=timezone)
                 if (unit_id is None or row.unit_id == unit_id) and figure in figures_of(row, today))


def tally_by(rows: Iterable[Row], key: Callable[[Row], Hashable], *, today: date) -> dict[Hashable, Tally]:
    groups: dict[Hashable, list[Row]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return {k: tally(v, today=today) for k, v in groups.items()}


def ranking(by_unit: dict[Hashable, Tally]) -> list[Hashable]:
    """The units furthest behind first, judged only on what was due to them: most overdue now, then the lowest
    share done on time. A unit with nothing due is left out: it is not behind, and has no rate (not 0%)."""
    return sorted((k for k in by_unit if by_unit[k].due),
                  key=lambda k: (-by_unit[k].overdue, by_unit[k].rate_on_time.share, -by_unit[k].due, str(k)))


def weekly(rows: list[Row], *, today: date, weeks: int) -> list[Week]:
    """The state at the end of each of the last `weeks` ISO weeks (Monday starts), the current one last."""
    monday = today - timedelta(days=today.weekday())
    found = []
    for back in range(weeks - 1, -1, -1):
        start = monday - timedelta(weeks=back)
        end = min(start + timedelta(days=6), today)
        found.append(Week(start=start, total=len(rows),
                          done=sum(1 for r in rows if r.done_on is not None and r.done_on <= end),
                          overdue=sum(1 for r in rows if is_overdue(r, end))))
    return found


def load_rows(*, actor: User, plan_id: int, timezone: str) -> list[Row]:
    zone = ZoneInfo(timezone)
    stmt = (sa.select(WorkItem.phase_id, Task.group_id, WorkItem.unit_id, WorkItem.due_date, WorkItem.status,
                      WorkItem.completed_at, WorkItem.id)
            .outerjoin(Task, Task.id == WorkItem.task_id)
            .where(WorkItem.plan_id == plan_id, WorkItem.cancelled_at.is_(None),
                   permissions.visible_items_clause(actor)))
    return [Row(phase_id=p, group_id=g, unit_id=u, due_date=due, done_on=_done_on(status, done_at, zone),
                item_id=item_id) for p, g, u, due, status, done_at, item_id in db.session.execute(stmt)]


def _done_on(status: ItemStatus, done_at: datetime | None, zone: ZoneInfo) -> date | None:
    """The local day an item was approved; a done item without that time (imported data) counts as done
    from the start rather than as overdue."""
    if status != ItemStatus.DONE:
        return None
    return done_at.astimezone(zone).date() if done_at else date.min


def dashboard(*, actor: User, plan_id: int, today: date, timezone: str, weeks: int = 12) -> Dashboard:
    """A unit's own figures, or the whole plan's for the office and leaders (the visibility rule decides)."""
    rows = load_rows(actor=actor, plan_id=plan_id, timezone=timezone)
    names = _names(plan_id)
    by_unit = tally_by(rows, lambda r: r.unit_id, today=today)
    by_phase = tally_by(rows, lambda r: r.phase_id, today=today)
    by_group = tally_by(rows, lambda r: r.group_id, today=today)
    supervision = _open_supervision(actor)
    ranked = ranking(by_unit)
    not_due = sorted((k for k in by_unit if not by_unit[k].due), key=lambda k: names["unit"].get(k, str(k)))
    return Dashboard(
        totals=tally(rows, today=today),
        phases=[(names["phase"][k], by_phase[k]) for k in names["phase"] if k in by_phase],
        groups=[(names["group"][k], by_group[k]) for k in names["group"] if k in by_group],
        units=[(names["unit"].get(k, str(k)), by_unit[k]) for k in ranked],
        units_not_due=[names["unit"].get(k, str(k)) for k in not_due],
        trend=weekly(rows, today=today, weeks=weeks),
        unit_lines=[UnitLine(k, names["unit"].get(k, str(k)), by_unit[k], supervision.get(k, 0))
                    for k in [*ranked, *not_due] if isinstance(k, int)])


def _open_supervision(actor: User) -> dict[int, int]:
    """Open 督办 records per unit the actor may see (records of finished items are settled, so not counted)."""
    query = (sa.select(AccountabilityRecord.unit_id, sa.func.count())
             .where(AccountabilityRecord.status == RecordStatus.OPEN, AccountabilityRecord.answer_due.is_not(None))
             .group_by(AccountabilityRecord.unit_id))
    if not permissions.sees_everything(actor):
        query = query.where(AccountabilityRecord.unit_id == actor.unit_id)
    return {unit_id: count for unit_id, count in db.session.execute(query).all()}


def _names(plan_id: int) -> dict[str, dict[Any, str]]:
    """Display names in plan order: phases by sequence, groups by sequence, units by name."""
    return {
        "phase": dict(db.session.execute(sa.select(Phase.id, Phase.name).where(Phase.plan_id == plan_id)
                                         .order_by(Phase.seq)).all()),
        "group": {**dict(db.session.execute(sa.select(TaskGroup.id, TaskGroup.title)
                                            .where(TaskGroup.plan_id == plan_id).order_by(TaskGroup.seq)).all()),
                  None: AD_HOC_GROUP[0]},
        "unit": dict(db.session.execute(sa.select(Unit.id, Unit.short_name)).all()),
    }
