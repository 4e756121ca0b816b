"""Traffic lights and days overdue, in the plan's time zone.

An item due on a day is on time for the whole of that day where the plan is: it becomes overdue at the next
midnight in the plan's time zone (an item due 2023-12-31 is overdue from 2024-01-01 00:00 Shanghai time, which
is 2023-12-31 16:00 UTC). Done items have no light.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ...extensions import db
from ...models import ItemStatus, WorkItem
from ..plan.workdays import WEEKDAYS_ONLY, Calendar


@dataclass(frozen=True)
class Deadlines:
    """What a read's lights and windows are judged against: the plan's today and its warning days."""

    today: date
    warning_days: int
    calendar: Calendar = WEEKDAYS_ONLY  # working days: the window to contest an item counts them


class Light(enum.StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


def local_today(now: datetime, timezone: str) -> date:
    """The calendar day it is in the plan's time zone at an aware instant."""
    return now.astimezone(ZoneInfo(timezone)).date()


def days_overdue(due: date | None, today: date) -> int:
    if due is None or today <= due:
        return 0
    return (today - due).days


def days_overdue_clause(today: date, due: sa.ColumnElement[Any] | sa.orm.InstrumentedAttribute[Any]
                        ) -> sa.ColumnElement[Any]:
    """days_overdue() as SQL, for a due date already known to be before `today` (the escalation scan's and the
    overdue list's)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.literal(today, sa.Date()) - due
    return sa.cast(sa.func.julianday(sa.literal(today.isoformat())) - sa.func.julianday(due), sa.Integer)


def light(*, status: ItemStatus, due: date | None, today: date, warning_days: int) -> Light | None:
    if status == ItemStatus.DONE:
        return None
    if due is None or today + timedelta(days=warning_days) < due:
        return Light.GREEN
    if today <= due:
        return Light.YELLOW
    return Light.RED


def light_clause(wanted: Light, *, today: date, warning_days: int) -> sa.ColumnElement[bool]:
    """The same rule as light(), as a WHERE clause on work items."""
    open_item = WorkItem.status != ItemStatus.DONE
    horizon = today + timedelta(days=warning_days)
    if wanted == Light.RED:
        return sa.and_(open_item, WorkItem.due_date < today)
    if wanted == Light.YELLOW:
        return sa.and_(open_item, WorkItem.due_date >= today, WorkItem.due_date <= horizon)
    return sa.and_(open_item, sa.or_(WorkItem.due_date.is_(None), WorkItem.due_date > horizon))
