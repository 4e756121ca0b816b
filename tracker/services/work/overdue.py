"""The overdue list: every overdue item a caller may see, of a plan or one unit of it, in one answer.

What a supervisor (督办) chases, and what a client polls, as Kanboard's `getOverdueTasks` answers: not pages of
whole cards but every overdue item at once, each a lean row of what the list shows and what a follow-up call needs
(its id and version). Overdue is the red light of deadlines.light (open, due before today, not cancelled); what
the caller may see is permissions' clause, as for every list. One statement selecting only the row's columns,
read through the connection (no ORM row handling), longest overdue first, and one over the open records for
each item's level; the rows are built with no per-row rule but the title's plan values (wording) and the days
overdue, computed once per due date.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import AccountabilityRecord, ItemStatus, RecordStatus, Unit, User, WorkItem
from ...models.accountability import UNANSWERED_KIND
from ..plan import wording
from ..trust import permissions
from .deadlines import days_overdue

ROW_FIELDS = ("id", "title", "status", "unit_id", "unit_name", "task_id", "due_date", "days_overdue", "version",
              "open_level")


def _open_levels(plan_id: int) -> dict[int, str]:
    """The highest level still open on each item of the plan that has one (提醒/催办/督办/通报; settled, closed
    and 督办未答复 records not counted), as the board's cards show it. A query of its own over the open records,
    which are few beside the items: cheaper than asking it of every row of a long list."""
    found: dict[int, tuple[int, str]] = {}
    for item_id, level, name in db.session.connection().execute(
            sa.select(AccountabilityRecord.item_id, AccountabilityRecord.level, AccountabilityRecord.level_name)
            .join(WorkItem, WorkItem.id == AccountabilityRecord.item_id)
            .where(WorkItem.plan_id == plan_id, AccountabilityRecord.kind != UNANSWERED_KIND,
                   AccountabilityRecord.status.in_([RecordStatus.OPEN.value, RecordStatus.ANSWERED.value]))):
        if item_id not in found or level > found[item_id][0]:
            found[item_id] = (level, name)
    return {item_id: name for item_id, (_level, name) in found.items()}


def overdue_items(*, actor: User, plan_id: int, unit_id: int | None, today: date) -> list[dict[str, Any]]:
    """Every item of the plan (of the unit's, when given) that is open and due before `today`, as the actor
    may see them: the longest overdue first, then by id."""
    stmt = (sa.select(WorkItem.id, WorkItem.title, sa.type_coerce(WorkItem.status, sa.String), WorkItem.unit_id,
                      Unit.short_name, WorkItem.task_id, sa.type_coerce(WorkItem.due_date, sa.String),
                      WorkItem.version, WorkItem.template_id)
            .join(Unit, Unit.id == WorkItem.unit_id)
            .where(permissions.visible_items_clause(actor), WorkItem.plan_id == plan_id,
                   WorkItem.cancelled_at.is_(None), WorkItem.status != ItemStatus.DONE, WorkItem.due_date < today)
            .order_by(WorkItem.due_date, WorkItem.id))
    if unit_id is not None:
        stmt = stmt.where(WorkItem.unit_id == unit_id)
    db.session.flush()  # what this transaction changed is read too, as session.execute would autoflush it
    wordings, levels = wording.wordings(), _open_levels(plan_id)
    by_day: dict[Any, tuple[str, int]] = {}
    rows = []
    for item_id, title, status, unit, unit_name, task_id, due, version, template_id in \
            db.session.connection().execute(stmt).all():
        day = by_day.get(due)
        if day is None:
            day = by_day[due] = _day(due, today)
        if template_id in wordings:
            title = wordings[template_id].title_of(title)
        rows.append({"id": item_id, "title": title, "status": status, "unit_id": unit, "unit_name": unit_name,
                     "task_id": task_id, "due_date": day[0], "days_overdue": day[1], "version": version,
                     "open_level": levels.get(item_id)})
    return rows


def _day(due: date | str, today: date) -> tuple[str, int]:
    """A due date as ISO text and its days overdue. SQLite hands the stored text (the date type's parsing of
    every row is skipped: the list wants the text back anyway), PostgreSQL's driver a date."""
    day = date.fromisoformat(due) if isinstance(due, str) else due
    return day.isoformat(), days_overdue(day, today)
