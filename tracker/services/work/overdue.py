"""The overdue list: every overdue item a caller may see, of a plan or one unit of it, in one answer.

What a supervisor (督办) chases, and what a client polls, as Kanboard's `getOverdueTasks` answers: not pages of
whole cards but every overdue item at once, each a lean row of what the list shows and what a follow-up call needs
(its id and version). Overdue is the red light of deadlines.light (open, due before today, not cancelled); what
the caller may see is permissions' clause, as for every list. The database writes the whole answer as JSON text
in one statement (SQLite's json_group_array/json_object, PostgreSQL's json_agg/json_build_object): no row reaches
Python. The title's plan values (wording) are a CASE over the few templates whose title has one, the days overdue
are the dates' difference (every row is past due), the open level the card's subquery.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

from ...extensions import db
from ...models import ItemStatus, Unit, User, WorkItem
from ..plan import wording
from ..trust import permissions
from .cards import OPEN_LEVEL, utf8
from .deadlines import days_overdue_clause

ROW_FIELDS = ("id", "title", "status", "unit_id", "unit_name", "task_id", "due_date", "days_overdue", "version",
              "open_level")


def overdue_json(*, actor: User, plan_id: int, unit_id: int | None, today: date) -> bytes:
    """Every item of the plan (of the unit's, when given) that is open and due before `today`, as the actor
    may see them, the longest overdue first, then by id: a JSON array of objects with ROW_FIELDS' keys, as UTF-8.
    The rows are read in that order from an index (plan, due date; ids follow within a day), not sorted."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    values = (WorkItem.id, wording.title_column().element, sa.type_coerce(WorkItem.status, sa.String),
              WorkItem.unit_id, Unit.short_name, WorkItem.task_id, WorkItem.due_date,
              days_overdue_clause(today, WorkItem.due_date), WorkItem.version, OPEN_LEVEL)
    where = [permissions.visible_items_clause(actor), WorkItem.plan_id == plan_id, WorkItem.cancelled_at.is_(None),
             WorkItem.status != ItemStatus.DONE, WorkItem.due_date < today]
    if unit_id is not None:
        where.append(WorkItem.unit_id == unit_id)
    order = (WorkItem.due_date, WorkItem.id)
    if postgres:
        pairs: list[Any] = []
        for name, value in zip(ROW_FIELDS, values):
            pairs += [sa.literal_column(f"'{name}'"), value]
        stmt = (sa.select(utf8(sa.func.coalesce(sa.func.json_agg(aggregate_order_by(
            sa.func.json_build_object(*pairs), *order)), sa.literal_column("'[]'::json")).cast(sa.Text)))
            .select_from(WorkItem).join(Unit, Unit.id == WorkItem.unit_id).where(*where))
    else:  # SQLite aggregates an ordered subquery's rows in its order (it is not flattened into the aggregate)
        rows = (sa.select(*(value.label(name) for name, value in zip(ROW_FIELDS, values)))
                .join(Unit, Unit.id == WorkItem.unit_id).where(*where).order_by(*order).subquery())
        stmt = sa.select(utf8(sa.func.json_group_array(sa.func.json_object(
            *[part for name in ROW_FIELDS for part in (sa.literal_column(f"'{name}'"), rows.c[name])]))))
    db.session.flush()  # what this transaction changed is read too, as session.execute would autoflush it
    return bytes(db.session.connection().execute(stmt).scalar_one())
