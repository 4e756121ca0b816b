"""Indicators (指标): the plan's quantified targets against the figures units report, per unit and period.

The rules, in one place:
- Who reports: a unit's own people (unit_admin, unit_member), for their own unit only, and only when their unit
  is among the indicator's reporting units (the plan file's `reporters`, resolved against today's units).
- Which periods: the indicator's years (the plan's years, narrowed by first_year/last_year), whole years or
  quarters; a period may be reported once it has started in the plan's time zone, never before.
- A report is never overwritten. Reporting again while the office has not decided supersedes the pending figure;
  after a return the unit reports again; an accepted figure is final.
- The office accepts or returns (with a reason) the newest submitted figure, at the version it read (409 if
  the unit reported again meanwhile). A submission tells the office, a return tells the unit.
- State of (indicator, unit, period), from the newest report: none or returned → awaited (待报送) until the figure
  is due (the period's end plus the indicator's due_days, plan time zone), not_reported (未报送) from the day after;
  submitted → pending; accepted → met / not_met by the direction (≥ or ≤ the target), or no_target while the
  office has not set the plan's X the target stands for.
Every change writes an audit event in the same transaction (entity `indicator_report`: indicators belong to no
item, like the plan's parameters).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ...errors import NotFound
from ...extensions import db
from ...models import (
    Direction,
    Indicator,
    IndicatorPeriod,
    IndicatorReport,
    Plan,
    ReportStatus,
    Unit,
    User,
)
from ..trust import permissions
from ..work.deadlines import local_today
from ..plan.seeding import carriers_of

MET, NOT_MET, NOT_REPORTED, PENDING, NO_TARGET = "met", "not_met", "not_reported", "pending", "no_target"
AWAITED = "awaited"
STATES = (MET, NOT_MET, NOT_REPORTED, AWAITED, PENDING, NO_TARGET)
STATE_LABELS = {MET: ("达标", "Met"), NOT_MET: ("未达标", "Not met"), NOT_REPORTED: ("未报送", "Not reported"),
                AWAITED: ("待报送", "Not yet due"), PENDING: ("待审核", "Pending"), NO_TARGET: ("未设目标", "No target")}
REPORT_STATUS_LABELS = {ReportStatus.SUBMITTED: ("待审核", "Awaiting the office"),
                        ReportStatus.ACCEPTED: ("已采用", "Accepted"), ReportStatus.RETURNED: ("已退回", "Returned"),
                        ReportStatus.SUPERSEDED: ("已被重报替代", "Replaced by a later report")}
DIRECTION_SIGNS = {Direction.AT_LEAST: "≥", Direction.AT_MOST: "≤"}
VALUE_PLACES = 4
VALUE_MAX = Decimal(10) ** 9
PERIOD_PATTERN = re.compile(r"^(?P<year>[0-9]{4})(-Q(?P<quarter>[1-4]))?$")


# --- periods and states: pure ---------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: "2024" (a year) or "2024-Q1" (a quarter), with its first and last day."""

    start: date
    end: date
    key: str


def period_of(key: str) -> Period:
    """The period a key names; ValueError for anything but "YYYY" or "YYYY-Qn"."""
    found = PERIOD_PATTERN.match(key)
    if found is None:
        raise ValueError(f"not a period: {key!r}")
    year = int(found["year"])
    if found["quarter"] is None:
        return Period(date(year, 1, 1), date(year, 12, 31), key)
    quarter = int(found["quarter"])
    first_month = 3 * quarter - 2
    last = date(year + 1, 1, 1) if quarter == 4 else date(year, first_month + 3, 1)
    return Period(date(year, first_month, 1), date.fromordinal(last.toordinal() - 1), key)


def periods(kind: IndicatorPeriod, *, plan_start: date, plan_end: date, first_year: int | None = None,
            last_year: int | None = None) -> list[Period]:
    """Every period of an indicator: its years within the plan's, as years or quarters overlapping the plan."""
    first = max(plan_start.year, first_year or plan_start.year)
    last = min(plan_end.year, last_year or plan_end.year)
    keys = [str(y) if kind == IndicatorPeriod.YEAR else f"{y}-Q{q}"
            for y in range(first, last + 1) for q in (range(1, 2) if kind == IndicatorPeriod.YEAR else range(1, 5))]
    return [p for p in map(period_of, keys) if p.end >= plan_start and p.start <= plan_end]


def judge(direction: Direction, target: Decimal, actual: Decimal) -> str:
    """met when the figure is on the good side of the target, the target itself included (不少于 / 不超过)."""
    ok = actual >= target if direction == Direction.AT_LEAST else actual <= target
    return MET if ok else NOT_MET


def state_of(status: ReportStatus | None, *, direction: Direction, target: Decimal | None,
             actual: Decimal | None, overdue: bool) -> str:
    """The state of a unit's period from its newest report's status (None: nothing reported) and whether its
    figure is overdue (see due_on)."""
    if status is None or status in (ReportStatus.RETURNED, ReportStatus.SUPERSEDED):
        return NOT_REPORTED if overdue else AWAITED
    if status == ReportStatus.SUBMITTED:
        return PENDING
    if target is None or actual is None:
        return NO_TARGET
    return judge(direction, target, actual)


def target_value(indicator: Indicator) -> Decimal | None:
    """The number the indicator is held to: its own, or its parameter's once the office has set it."""
    if indicator.target_value is not None:
        return Decimal(indicator.target_value)
    value = indicator.target_parameter.value if indicator.target_parameter is not None else None
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


# --- reading ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    indicator_id: int
    indicator_key: str
    indicator_name: str        # what people read
    task_number: int | None
    unit_id: int
    period: str                # "2024" (year) or "2024-Q1" (quarter)
    period_end: date
    due_on: date               # the last day to report the figure (period end + the indicator's due_days)
    state: str                 # met | not_met | not_reported | awaited | pending | no_target
    target: Decimal | None
    actual: Decimal | None
    report_id: int | None      # the IndicatorReport behind actual (link: the indicator page)


def all_indicators(*, plan_id: int | None = None) -> list[Indicator]:
    """Every indicator (of one plan), in plan then file order, with its plan, task and target parameter."""
    query = sa.select(Indicator).options(joinedload(Indicator.plan), joinedload(Indicator.task),
                                         joinedload(Indicator.target_parameter))
    if plan_id is not None:
        query = query.where(Indicator.plan_id == plan_id)
    return list(db.session.scalars(query.order_by(Indicator.plan_id, Indicator.seq)))


def get_indicator(indicator_id: int) -> Indicator:
    """Any signed-in user may read an indicator's definition, as they read the plan."""
    found = db.session.get(Indicator, indicator_id)
    if found is None:
        raise NotFound("指标不存在", "Indicator not found", code="indicator_not_found")
    return found


def all_units() -> dict[str, Unit]:
    return {u.key: u for u in db.session.scalars(sa.select(Unit))}


def reporting_units(indicator: Indicator, units: dict[str, Unit] | None = None) -> list[Unit]:
    """The units that report the indicator, in key order, as the plan file names them (kinds, tags, keys)."""
    return carriers_of(indicator.reporters, units if units is not None else all_units())


def indicator_periods(indicator: Indicator) -> list[Period]:
    return periods(indicator.period, plan_start=indicator.plan.start_date, plan_end=indicator.plan.end_date,
                   first_year=indicator.first_year, last_year=indicator.last_year)


def due_on(indicator: Indicator, period: Period) -> date:
    """The last day a unit may report the period's figure before it counts as 未报送."""
    return period.end + timedelta(days=indicator.due_days)


def overdue(indicator: Indicator, period: Period, *, now: datetime) -> bool:
    return local_today(now, indicator.plan.timezone) > due_on(indicator, period)


def outcomes(*, start: date, end: date, now: datetime, unit_ids: Collection[int] | None = None,
             falling_due: bool = False) -> list[Outcome]:
    """Every (indicator, reporting unit, period) whose period ENDS within [start, end] (or, `falling_due`, whose
    figure falls DUE within it: what a month's 通报 reports), across plans, with its state at `now` (see the
    module's rules). A fixed number of queries, whatever the number of units and periods."""
    wanted = set(unit_ids) if unit_ids is not None else None
    units = all_units()
    cells: list[tuple[Indicator, Unit, Period]] = []
    for indicator in all_indicators():
        ending = [p for p in indicator_periods(indicator)
                  if start <= (due_on(indicator, p) if falling_due else p.end) <= end]
        for unit in reporting_units(indicator, units):
            if wanted is None or unit.id in wanted:
                cells.extend((indicator, unit, p) for p in ending)
    newest = _newest_reports({(i.id, u.id, p.key) for i, u, p in cells})
    found = []
    for indicator, unit, period in sorted(cells, key=lambda c: (c[2].end, c[0].plan_id, c[0].seq, c[1].key)):
        report = newest.get((indicator.id, unit.id, period.key))
        target = target_value(indicator)
        actual = Decimal(report.value) if report is not None and report.status in (
            ReportStatus.SUBMITTED, ReportStatus.ACCEPTED) else None
        found.append(Outcome(
            indicator_id=indicator.id, indicator_key=indicator.key, indicator_name=indicator.name,
            task_number=indicator.task.number if indicator.task is not None else None, unit_id=unit.id,
            period=period.key, period_end=period.end, due_on=due_on(indicator, period),
            state=state_of(report.status if report else None, direction=indicator.direction, target=target,
                           actual=actual, overdue=overdue(indicator, period, now=now)),
            target=target, actual=actual, report_id=report.id if report is not None else None))
    return found


def _newest_reports(cells: set[tuple[int, int, str]]) -> dict[tuple[int, int, str], IndicatorReport]:
    """The newest report of each (indicator, unit, period) asked for: one query."""
    if not cells:
        return {}
    indicator_ids = {c[0] for c in cells}
    period_keys = {c[2] for c in cells}
    newest: dict[tuple[int, int, str], IndicatorReport] = {}
    for report in db.session.scalars(sa.select(IndicatorReport).where(
            IndicatorReport.indicator_id.in_(indicator_ids), IndicatorReport.period.in_(period_keys))
            .order_by(IndicatorReport.seq)):
        key = (report.indicator_id, report.unit_id, report.period)
        if key in cells:
            newest[key] = report
    return newest


def visible_unit_ids(actor: User) -> frozenset[int] | None:
    """Whose figures the actor sees: None (everyone's) for the office and leaders, else its unit and below."""
    return None if permissions.sees_everything(actor) else permissions.subtree_ids(actor.unit_id)


def outcomes_for(*, actor: User, start: date, end: date, now: datetime, unit_ids: Collection[int] | None = None,
                 indicator_id: int | None = None, task_number: int | None = None,
                 state: str | None = None) -> list[Outcome]:
    """Outcomes as the actor may see them (units: their own unit and those below), filtered."""
    mine = visible_unit_ids(actor)
    scope: Collection[int] | None = unit_ids
    if mine is not None:
        scope = mine if unit_ids is None else mine.intersection(unit_ids)
    return in_state([o for o in outcomes(start=start, end=end, now=now, unit_ids=scope)
                     if (indicator_id is None or o.indicator_id == indicator_id)
                     and (task_number is None or o.task_number == task_number)], state)


def in_state(found: list[Outcome], state: str | None) -> list[Outcome]:
    """The outcomes in `state` (all for None); the page counts every state first, then shows the chosen one."""
    return found if state is None else [o for o in found if o.state == state]


def plan_span() -> tuple[date, date] | None:
    """From the first plan's start to the last plan's end: every period there is."""
    first, last = db.session.execute(sa.select(sa.func.min(Plan.start_date), sa.func.max(Plan.end_date))).one()
    return (first, last) if first is not None else None


GATHERING = timedelta(days=31)  # a year's figures are gathered from its last month on


def year_in_view(today: date) -> str:
    """The year a reader looks at by default: the one whose figures are being gathered (from its December on) or
    were last gathered, within the plans' years. Mid-2024 that is 2023, whose results are in; at 2024-12-31, 2024."""
    year = (today + GATHERING).year - 1
    span = plan_span()
    if span is not None:
        year = min(max(year, span[0].year), span[1].year)
    return str(year)


def format_value(value: Decimal | None) -> str:
    """A figure as people write it: 95.5, not 95.5000."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


SORT_COLUMNS = ("period", "indicator", "unit", "state", "actual")
SORTS = tuple(f"{sign}{column}" for column in SORT_COLUMNS for sign in ("", "-"))


def sorted_for_people(found: list[Outcome], *, sort: str) -> list[Outcome]:
    """Outcomes ordered by a column of the indicators table ("-" first: descending), ties by period, indicator
    and unit. States order from worst (未达标) to best (达标)."""
    order = {state: n for n, state in enumerate((NOT_MET, NOT_REPORTED, AWAITED, PENDING, NO_TARGET, MET))}
    keys: dict[str, Callable[[Outcome], Any]] = {
        "period": lambda o: o.period_end,
        "indicator": lambda o: o.indicator_id,
        "unit": lambda o: o.unit_id,  # the units file's order: the city, its departments, then each county
        "state": lambda o: order[o.state],
        "actual": lambda o: (o.actual is None, o.actual or Decimal(0)),
    }
    base = sorted(found, key=lambda o: (o.period_end, o.indicator_id, o.unit_id))
    column = sort.lstrip("-")
    return sorted(base, key=keys[column if column in keys else "period"], reverse=sort.startswith("-"))
