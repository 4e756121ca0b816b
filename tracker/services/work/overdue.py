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

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import aggregate_order_by

from ...extensions import db
from ...models import AccountabilityRecord, ItemStatus, RecordStatus, Unit, User, WorkItem
from ...models.accountability import UNANSWERED_KIND
from ..plan import wording
from ..trust import permissions
from .deadlines import days_overdue_clause

ROW_FIELDS = ("id", "title", "status", "unit_id", "unit_name", "task_id", "due_date", "days_overdue", "version",
              "open_level")
# the highest level still open on the item (提醒/催办/督办/通报; settled, closed and 督办未答复 not counted), as
# the board's cards show it
OPEN_LEVEL = (sa.select(AccountabilityRecord.level_name).where(
    AccountabilityRecord.item_id == WorkItem.id, AccountabilityRecord.kind != UNANSWERED_KIND,
    AccountabilityRecord.status.in_([RecordStatus.OPEN.value, RecordStatus.ANSWERED.value]))
    .order_by(AccountabilityRecord.level.desc()).limit(1).correlate(WorkItem).scalar_subquery())


def _title() -> sa.ColumnElement[str] | sa.orm.InstrumentedAttribute[str]:
    """The title as wording shows it: a template's title with its plan values filled in (only the templates
    whose title has a value set, so usually a handful of branches or none)."""
    filled = [(template_id, shown.title, shown.title_of(shown.title))
              for template_id, shown in wording.wordings().items() if shown.title_of(shown.title) != shown.title]
    if not filled:
        return WorkItem.title
    return sa.case(*[((WorkItem.template_id == template_id) & (WorkItem.title == title), new)
                     for template_id, title, new in filled], else_=WorkItem.title)


def overdue_json(*, actor: User, plan_id: int, unit_id: int | None, today: date) -> str:
    """Every item of the plan (of the unit's, when given) that is open and due before `today`, as the actor
    may see them, the longest overdue first, then by id: a JSON array of objects with ROW_FIELDS' keys."""
    postgres = db.session.get_bind().dialect.name == "postgresql"
    values = (WorkItem.id, _title(), sa.type_coerce(WorkItem.status, sa.String), WorkItem.unit_id, Unit.short_name,
              WorkItem.task_id, WorkItem.due_date, days_overdue_clause(today, WorkItem.due_date), WorkItem.version,
              OPEN_LEVEL)
    where = [permissions.visible_items_clause(actor), WorkItem.plan_id == plan_id, WorkItem.cancelled_at.is_(None),
             WorkItem.status != ItemStatus.DONE, WorkItem.due_date < today]
    if unit_id is not None:
        where.append(WorkItem.unit_id == unit_id)
    order = (WorkItem.due_date, WorkItem.id)
    if postgres:
        pairs = [part for name, value in zip(ROW_FIELDS, values) for part in (sa.literal_column(f"'{name}'"), value)]
        stmt = (sa.select(sa.func.coalesce(sa.func.json_agg(aggregate_order_by(
            sa.func.json_build_object(*pairs), *order)), sa.literal_column("'[]'::json")).cast(sa.Text))
            .select_from(WorkItem).join(Unit, Unit.id == WorkItem.unit_id).where(*where))
    else:  # SQLite aggregates an ordered subquery's rows in its order (it is not flattened into the aggregate)
        rows = (sa.select(*(value.label(name) for name, value in zip(ROW_FIELDS, values)))
                .join(Unit, Unit.id == WorkItem.unit_id).where(*where).order_by(*order).subquery())
        stmt = sa.select(sa.func.json_group_array(sa.func.json_object(
            *[part for name in ROW_FIELDS for part in (sa.literal_column(f"'{name}'"), rows.c[name])])))
    db.session.flush()  # what this transaction changed is read too, as session.execute would autoflush it
    return str(db.session.connection().execute(stmt).scalar_one())
