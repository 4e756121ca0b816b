"""What the home page shows beside the to-do list. For those who see the whole city (a leader, the office):
where the plan stands today in a few figures, who is falling behind, what was escalated in the last seven days
and which 批示 still wait to be carried out. For a unit: its items per column.

Figures come from the dashboard's one counting rule (dashboard.tally over the same rows) and the same ranking,
so the home page and the dashboard never disagree. A fixed number of queries whatever the number of items,
units or records: the rows once, names once, one per list.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ...errors import NotAllowed
from ...extensions import db
from ...models import (
    AccountabilityRecord,
    Bulletin,
    BulletinStatus,
    Instruction,
    InstructionProposal,
    ItemStatus,
    ProposalStatus,
    Unit,
    User,
    WorkItem,
)
from ...models.accountability import LADDER_KIND, MANUAL_KIND
from . import dashboard
from ..ledger import records
from ..plan import wording
from ..trust import permissions
from ..work.deadlines import Light, light
from ..ledger.ladder import Level

SHOWN = 5


@dataclass(frozen=True)
class Behind:
    unit_id: int
    name: str
    figures: dashboard.Tally


@dataclass(frozen=True)
class UnitLight:
    """A unit's light on the wall screen: red while any of its open items is overdue, yellow while any is due
    soon, green otherwise (by deadlines.light, the board's rule, over its open items)."""

    unit_id: int
    name: str
    light: Light
    red: int
    yellow: int


@dataclass(frozen=True)
class WeekRecord:
    record_id: int
    item_id: int
    level: int
    level_name: str
    unit_name: str
    item_title: str
    doc_number: str | None


@dataclass(frozen=True)
class Waiting:
    """A 批示 on an item not yet done."""

    item_id: int
    item_title: str
    unit_name: str
    author: str
    at: datetime
    text: str
    due_date: date | None


@dataclass
class Overview:
    totals: dashboard.Tally
    red: int
    yellow: int
    behind: list[Behind]
    week_start: date
    week_levels: list[tuple[int, str, int]]  # level, its name, records issued this week
    week_records: list[WeekRecord]
    week_bulletins: list[Bulletin]
    waiting_count: int
    waiting: list[Waiting] = field(default_factory=list)
    proposals_pending: int = 0
    unit_lights: list[UnitLight] = field(default_factory=list)


def column_counts(*, actor: User) -> dict[ItemStatus, int]:
    """The items the actor may see, per column (every column, 0 where empty): one query."""
    found = dict(db.session.execute(sa.select(WorkItem.status, sa.func.count())
                                    .where(permissions.visible_items_clause(actor)).group_by(WorkItem.status)).all())
    return {status: found.get(status, 0) for status in ItemStatus}


def lights(rows: list[dashboard.Row], *, today: date, warning_days: int) -> dict[Light, int]:
    """Open items by traffic light today, by deadlines.light (the board's rule)."""
    found = {shade: 0 for shade in Light}
    for row in rows:
        done = row.done_on is not None and row.done_on <= today
        shade = light(status=ItemStatus.DONE if done else ItemStatus.IN_PROGRESS, due=row.due_date, today=today,
                      warning_days=warning_days)
        if shade is not None:
            found[shade] += 1
    return found


def unit_lights(rows: list[dashboard.Row], names: dict[int, str], *, today: date,
                warning_days: int) -> list[UnitLight]:
    """Every unit that leads an item, worst first (most red, then most yellow), then by name."""
    by_unit: dict[int, list[dashboard.Row]] = {}
    for row in rows:
        by_unit.setdefault(row.unit_id, []).append(row)
    found = []
    for unit_id, mine in by_unit.items():
        shades = lights(mine, today=today, warning_days=warning_days)
        worst = Light.RED if shades[Light.RED] else Light.YELLOW if shades[Light.YELLOW] else Light.GREEN
        found.append(UnitLight(unit_id, names.get(unit_id, str(unit_id)), worst, shades[Light.RED],
                               shades[Light.YELLOW]))
    return sorted(found, key=lambda u: (-u.red, -u.yellow, u.name))


def falling_behind(rows: list[dashboard.Row], names: dict[int, str], *, today: date,
                   limit: int = SHOWN) -> list[Behind]:
    """The units furthest behind by the dashboard's ranking (only what was due to them), those not on time."""
    by_unit = dashboard.tally_by(rows, lambda r: r.unit_id, today=today)
    return [Behind(k, names.get(k, str(k)), by_unit[k]) for k in dashboard.ranking(by_unit)
            if by_unit[k].done_on_time < by_unit[k].due and isinstance(k, int)][:limit]


def week_start(today: date) -> date:
    """The first of the last seven days: a rolling week, so a Tuesday's page is not two days thin."""
    return today - timedelta(days=6)


def overview(*, actor: User, plan_id: int, now: datetime, timezone: str, warning_days: int,
             ladder: tuple[Level, ...]) -> Overview:
    """The whole city's overview; only for those who see everything (others have their own home)."""
    if not permissions.sees_everything(actor):
        raise NotAllowed("只有领导和办公室可以查看全市概况", "Only leaders and the office see the whole city",
                         code="whole_city_only")
    zone = ZoneInfo(timezone)
    today = now.astimezone(zone).date()
    rows = dashboard.load_rows(actor=actor, plan_id=plan_id, timezone=timezone)
    names = dict(db.session.execute(sa.select(Unit.id, Unit.short_name)).all())
    shades = lights(rows, today=today, warning_days=warning_days)
    monday = week_start(today)
    since = datetime.combine(monday, time.min, tzinfo=zone)
    levels, entries = _week_records(actor, since, _escalated_levels(ladder))
    waiting_count, waiting = _waiting_instructions()
    return Overview(
        totals=dashboard.tally(rows, today=today), red=shades[Light.RED], yellow=shades[Light.YELLOW],
        behind=falling_behind(rows, names, today=today), week_start=monday, week_levels=levels,
        week_records=entries, week_bulletins=_week_bulletins(plan_id, since), waiting_count=waiting_count,
        waiting=waiting, proposals_pending=db.session.execute(
            sa.select(sa.func.count()).where(InstructionProposal.status == ProposalStatus.PENDING)).scalar_one(),
        unit_lights=unit_lights(rows, names, today=today, warning_days=warning_days))


def _escalated_levels(ladder: tuple[Level, ...]) -> list[int]:
    """督办 and 通报: the levels from the first that owes a written answer upwards (the top level at least)."""
    owing = [lv.level for lv in ladder if lv.answer_within_days]
    first = min(owing) if owing else ladder[-1].level
    return [lv.level for lv in ladder if lv.level >= first]


def _week_records(actor: User, since: datetime,
                  levels: list[int]) -> tuple[list[tuple[int, str, int]], list[WeekRecord]]:
    """This week's 督办 and 通报 records (ladder and by hand): counts per level, and the latest few."""
    mine = (records.records_query(actor=actor, filters=records.RecordFilters(issued_from=since))
            .where(AccountabilityRecord.level.in_(levels),
                   AccountabilityRecord.kind.in_([LADDER_KIND, MANUAL_KIND])).subquery())
    counts = db.session.execute(sa.select(mine.c.level, mine.c.level_name, sa.func.count())
                                .group_by(mine.c.level, mine.c.level_name).order_by(mine.c.level)).all()
    latest = db.session.execute(
        sa.select(mine.c.id, mine.c.item_id, mine.c.level, mine.c.level_name, Unit.short_name,
                  wording.title_column(), mine.c.doc_number)
        .join(Unit, Unit.id == mine.c.unit_id).join(WorkItem, WorkItem.id == mine.c.item_id)
        .order_by(mine.c.level.desc(), mine.c.issued_at.desc(), mine.c.id.desc()).limit(SHOWN)).all()
    return [(lv, name, n) for lv, name, n in counts], [WeekRecord(*row) for row in latest]


def _week_bulletins(plan_id: int, since: datetime) -> list[Bulletin]:
    """通报 documents the office issued this week."""
    return list(db.session.scalars(sa.select(Bulletin).where(
        Bulletin.plan_id == plan_id, Bulletin.status == BulletinStatus.ISSUED, Bulletin.issued_at >= since)
        .order_by(Bulletin.issued_at.desc())))


def _waiting_instructions() -> tuple[int, list[Waiting]]:
    """批示 on items not yet done (nor cancelled), oldest first: how many, and the first few."""
    open_items = sa.and_(WorkItem.status != ItemStatus.DONE, WorkItem.cancelled_at.is_(None))
    count = db.session.execute(sa.select(sa.func.count()).select_from(Instruction)
                               .join(WorkItem, WorkItem.id == Instruction.item_id).where(open_items)).scalar_one()
    rows = db.session.execute(
        sa.select(WorkItem.id, wording.title_column(), Unit.short_name, User.display_name, Instruction.at,
                  Instruction.text, WorkItem.due_date)
        .join(WorkItem, WorkItem.id == Instruction.item_id).join(Unit, Unit.id == WorkItem.unit_id)
        .join(User, User.id == Instruction.author_id).where(open_items)
        .order_by(Instruction.at, Instruction.id).limit(SHOWN)).all()
    return count, [Waiting(*row) for row in rows]
