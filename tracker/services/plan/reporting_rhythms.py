"""Reporting rhythms (报送频次): how often the units carrying a plan's open items must report progress, and by when.

The office sets a rhythm for a plan or for one of its task groups; a group's own rhythm overrides its plan's, and
where nothing is set the default applies: monthly, by the 25th. Monthly reports are due by day D of every month,
quarterly ones by day D of the quarter's last month (March, June, September, December); "none" waives the duty.
Days stop at 28 so that every month has the day.

A period's reports are those posted after the previous deadline and up to the end of its own deadline day, so the
periods tile the calendar: a report that comes late for May counts for June. The period arithmetic here is pure;
the rest loads and writes rhythms, each change audited.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from ...errors import Invalid, NotFound
from ...extensions import db
from ...models import Plan, ReportFrequency, ReportingRhythm, TaskGroup, User
from ..trust import audit, permissions
from ..work.deadlines import local_today

DAY_RANGE = (1, 28)
FREQUENCY_LABELS = {
    ReportFrequency.MONTHLY: ("每月报送", "Monthly"),
    ReportFrequency.QUARTERLY: ("每季度报送", "Quarterly"),
    ReportFrequency.NONE: ("不要求定期报送", "No periodic report"),
}


@dataclass(frozen=True)
class Rhythm:
    """A rhythm, and the day (in the plan's time zone) the office set it: periods whose deadline came before
    that day are not judged by it, so changing a rhythm never flags the past. The default has no such day."""

    frequency: ReportFrequency
    day: int | None = None
    since: date | None = None

    @property
    def months_apart(self) -> int:
        return 3 if self.frequency == ReportFrequency.QUARTERLY else 1

    def describe(self) -> str:
        """The rhythm in words, e.g. "每月 25 日前报送"."""
        if self.frequency == ReportFrequency.NONE:
            return FREQUENCY_LABELS[self.frequency][0]
        if self.frequency == ReportFrequency.QUARTERLY:
            return f"每季度末月 {self.day} 日前报送"
        return f"每月 {self.day} 日前报送"


DEFAULT = Rhythm(ReportFrequency.MONTHLY, 25)


@dataclass(frozen=True)
class Period:
    """One reporting period: its key ("2024-05", "2024-Q2"), its deadline, and the previous period's deadline
    (reports posted after that day and up to the end of `due_on` count for this period)."""

    key: str
    due_on: date
    opens_after: date


def _shift(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _period(rhythm: Rhythm, year: int, month: int) -> Period:
    assert rhythm.day is not None
    before = _shift(year, month, -rhythm.months_apart)
    key = f"{year}-Q{(month - 1) // 3 + 1}" if rhythm.frequency == ReportFrequency.QUARTERLY else f"{year}-{month:02d}"
    return Period(key=key, due_on=date(year, month, rhythm.day), opens_after=date(*before, rhythm.day))


def last_period(rhythm: Rhythm, *, today: date) -> Period | None:
    """The latest period whose deadline day is over by `today` (deadline < today); None when no duty is set or
    that deadline came before the rhythm was set."""
    if rhythm.frequency == ReportFrequency.NONE or rhythm.day is None:
        return None
    year, month = today.year, today.month
    if rhythm.frequency == ReportFrequency.QUARTERLY:
        year, month = _shift(year, month, -((month - 1) % 3 + 1) + 3)  # the current quarter's last month
    while date(year, month, rhythm.day) >= today:
        year, month = _shift(year, month, -rhythm.months_apart)
    period = _period(rhythm, year, month)
    return None if rhythm.since is not None and period.due_on < rhythm.since else period


def check(frequency: ReportFrequency, day: int | None) -> Rhythm:
    """A valid rhythm from what a person sent; raises Invalid naming the field."""
    if frequency == ReportFrequency.NONE:
        return Rhythm(frequency, None)
    low, high = DAY_RANGE
    if day is None or not low <= day <= high:
        raise Invalid(f"报送截止日须为每月 {low} 至 {high} 日", f"The reporting day must be {low} to {high}",
                      code="invalid_day", fields={"day": [f"须为 {low} 至 {high} 之间的整数"]})
    return Rhythm(frequency, day)


# --- reading -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """Where a rhythm applies and whether it is set there or inherited (from the plan, or the default)."""

    plan_id: int
    group_id: int | None
    name: str
    rhythm: Rhythm
    own: bool


def _rows() -> dict[tuple[int, int | None], Rhythm]:
    return {(r.plan_id, r.group_id): Rhythm(r.frequency, r.day, local_today(r.set_at, zone))
            for r, zone in db.session.execute(sa.select(ReportingRhythm, Plan.timezone)
                                              .join(Plan, Plan.id == ReportingRhythm.plan_id))}


def scopes(plan: Plan) -> list[Scope]:
    """The plan's own rhythm, then each group's, in the plan's order (one query besides the plan's groups)."""
    rows = _rows()
    plan_rhythm = rows.get((plan.id, None), DEFAULT)
    found = [Scope(plan.id, None, plan.short_title, plan_rhythm, (plan.id, None) in rows)]
    found += [Scope(plan.id, g.id, g.title, rows.get((plan.id, g.id), plan_rhythm), (plan.id, g.id) in rows)
              for g in plan.groups]
    return found


def effective() -> dict[Rhythm, tuple[set[int], set[int]]]:
    """Every rhythm in force, with the task groups it governs and the plans whose ad-hoc items (no group) it
    governs: what the daily scan needs, in two queries however many items there are."""
    rows = _rows()
    found: dict[Rhythm, tuple[set[int], set[int]]] = {}
    for plan_id in db.session.scalars(sa.select(Plan.id)):
        found.setdefault(rows.get((plan_id, None), DEFAULT), (set(), set()))[1].add(plan_id)
    for group_id, plan_id in db.session.execute(sa.select(TaskGroup.id, TaskGroup.plan_id)):
        rhythm = rows.get((plan_id, group_id)) or rows.get((plan_id, None), DEFAULT)
        found.setdefault(rhythm, (set(), set()))[0].add(group_id)
    return found


# --- writing -------------------------------------------------------------------------------------------------

def set_rhythm(plan: Plan, *, actor: User, group_id: int | None, frequency: ReportFrequency | None,
               day: int | None, now: datetime) -> Scope:
    """Set the rhythm of a plan or of one of its groups (office only), audited. `frequency` None on a group
    removes its own rhythm, so it follows the plan again; a plan always has one (the default unless set).

    Raises NotAllowed (not the office), NotFound (a group of another plan), Invalid (a bad day, or None for a plan).
    """
    permissions.require_office(actor)
    group = _group(plan, group_id)
    if frequency is None and group is None:
        raise Invalid("计划须有报送频次", "A plan needs a reporting rhythm", code="frequency_required",
                      fields={"frequency": ["须选择报送频次"]})
    rhythm = check(frequency, day) if frequency is not None else None
    row = db.session.execute(sa.select(ReportingRhythm).where(
        ReportingRhythm.plan_id == plan.id, ReportingRhythm.group_id.is_(None) if group is None
        else ReportingRhythm.group_id == group.id)).scalar()
    before = {"frequency": row.frequency, "day": row.day} if row is not None else None
    if rhythm is None:
        if row is not None:
            db.session.delete(row)
    elif row is None:
        db.session.add(ReportingRhythm(plan_id=plan.id, group_id=group_id, frequency=rhythm.frequency,
                                       day=rhythm.day, set_by_id=actor.id, set_at=now))
    else:
        row.frequency, row.day, row.set_by_id, row.set_at = rhythm.frequency, rhythm.day, actor.id, now
    db.session.flush()
    after = {"frequency": rhythm.frequency, "day": rhythm.day} if rhythm is not None else None
    audit.record(actor=actor, action="reporting.rhythm", entity_type="plan" if group is None else "task_group",
                 entity_id=plan.id if group is None else group.id, before=before,
                 after={"plan_id": plan.id, "group_id": group_id, "rhythm": after}, now=now)
    return next(s for s in scopes(plan) if s.group_id == group_id)


def _group(plan: Plan, group_id: int | None) -> TaskGroup | None:
    if group_id is None:
        return None
    group = db.session.get(TaskGroup, group_id)
    if group is None or group.plan_id != plan.id:
        raise NotFound("该计划没有这个方面", "No such task group in this plan", code="group_not_found")
    return group
