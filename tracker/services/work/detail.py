"""One item's detail, as the item's page and `GET /items/{id}` show it, and the load a read of it starts with.

A board card is a row; an item's detail is everything about one item: its lead and cooperating units with their
parts, the person responsible, its source, its parent and children, and what the actor is offered on it. It is
the most polled read (a client watching one item), so `read_visible` asks in the item's own statement whether it
has cooperating units, sub-items and a pending extension request: most items have none of the three, and the
detail then runs no query for them (before: five statements for one item, the token's included; now two).
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ...extensions import db
from ...models import (AccountabilityRecord, ContestStatus, ExtensionRequest, ExtensionStatus, ItemContest,
                       ItemStatus, ItemUnit, RecordStatus, User, WorkItem)
from ..plan import wording
from ..trust import permissions
from . import offers
from .deadlines import Deadlines, Light, days_overdue, light
from .item_facts import Day, Facts
from .workflow import returned_by


class Known(NamedTuple):
    """What the item's own statement said about what hangs off it, so the detail skips the queries for none."""

    has_children: bool
    extension_pending: bool
    contested: bool  # a contest (退办 / 异议) waits for the office
    answers_owed: bool  # an open 督办 waits for a unit's answer (False: none; True: ask whose)

    def facts(self) -> dict[str, Any]:
        """What the rules (item_facts.Facts) need not ask: each fact this statement settled."""
        settled: dict[str, Any] = {"extension_pending": self.extension_pending}
        if not self.contested:
            settled["contest_pending"] = None
        if not self.has_children:
            settled["open_children"] = []
        if not self.answers_owed:
            settled["owes_answers"] = False
        return settled


_CHILD = sa.orm.aliased(WorkItem)
# Built once: building the statement (its clauses, its options) cost as much as running it.
_FOR_READING = (
    sa.select(WorkItem,
              sa.exists().where(ItemUnit.item_id == WorkItem.id).correlate(WorkItem),
              sa.exists().where(_CHILD.parent_id == WorkItem.id).correlate(WorkItem),
              sa.exists().where(ExtensionRequest.item_id == WorkItem.id,
                                ExtensionRequest.status == ExtensionStatus.PENDING).correlate(WorkItem),
              sa.exists().where(ItemContest.item_id == WorkItem.id,
                                ItemContest.status == ContestStatus.PENDING).correlate(WorkItem),
              sa.exists().where(AccountabilityRecord.item_id == WorkItem.id,
                                AccountabilityRecord.status == RecordStatus.OPEN,
                                AccountabilityRecord.answer_due.is_not(None)).correlate(WorkItem))
    .options(joinedload(WorkItem.task), joinedload(WorkItem.unit), joinedload(WorkItem.plan))
    .where(WorkItem.id == sa.bindparam("item_id")))


def read_visible(item_id: int, *, actor: User) -> tuple[WorkItem, Known]:
    """items.get_visible for a request that only reads the item's detail: the item with its task and unit if the
    actor may see it (otherwise not found, whether it exists or not), and what its statement knew.

    Only for a request that changes none of what it knew afterwards: what is known is as of this statement (a
    change made later in the same request would not be in it). A read; a move or a review (workflow touches no
    sub-item, cooperating part, extension request or contest: tests/services/test_offers_matrix.py holds their
    answers equal to a fresh read's)."""
    row = db.session.execute(_FOR_READING, {"item_id": item_id}).first()
    if row is None:
        permissions.require_visible(actor, None)
        raise AssertionError("require_visible refuses a missing item")
    item, has_parts, has_children, pending, contested, owed = row
    if not has_parts and "cooperators" not in item.__dict__:
        set_committed_value(item, "cooperators", [])  # none: nothing to load when the detail or a rule reads them
    return permissions.require_visible(actor, item), Known(bool(has_children), bool(pending), bool(contested),
                                                           bool(owed))


def item_detail(item: WorkItem, deadlines: Deadlines, *, actor: User, known: Known | None = None) -> dict[str, Any]:
    """One card with everything a detail view shows (a handful of lazy loads; one item, not a list); `known`
    from read_visible spares the queries for children and a pending request when there are none."""
    def lit(status: ItemStatus, due: date | None) -> Light | None:
        return light(status=status, due=due, today=deadlines.today, warning_days=deadlines.warning_days)

    children: Iterable[WorkItem] = [] if known is not None and not known.has_children else db.session.scalars(
        sa.select(WorkItem).where(WorkItem.parent_id == item.id).order_by(WorkItem.id))
    already = {} if known is None else known.facts()
    facts = Facts.of(item, Day(deadlines.today, deadlines.calendar), **already)
    return {
        "id": item.id, "plan_id": item.plan_id, "phase_id": item.phase_id, "task_id": item.task_id,
        "task_number": item.task.number if item.task else None,
        "group_id": item.task.group_id if item.task else None, "unit_id": item.unit_id,
        "unit_name": item.unit.short_name, "title": wording.title(item),
        "description": wording.description(item),
        "status": item.status, "position": item.position, "priority": item.priority, "due_date": item.due_date,
        "original_due_date": item.original_due_date, "was_extended": item.was_extended, "version": item.version,
        "returned_count": item.returned_count, "last_return_reason": item.last_return_reason,
        "contested": facts.contest_pending is not None, "contest_closes": facts.contest_closes,
        "returned_by": returned_by([item.id]).get(item.id) if item.returned_count else None,
        "created_at": item.created_at, "updated_at": item.updated_at, "submitted_at": item.submitted_at,
        "completed_at": item.completed_at, "light": lit(item.status, item.due_date),
        "days_overdue": 0 if item.status == ItemStatus.DONE else days_overdue(item.due_date, deadlines.today),
        "parent_id": item.parent_id, "source": item.source,
        "parent": {"id": item.parent.id, "title": wording.title(item.parent), "unit_name": item.parent.unit.short_name}
        if item.parent else None, "source_ref": item.source_ref,
        "responsible_user_id": item.responsible_user_id,
        "responsible_name": item.responsible.display_name if item.responsible else None,
        "contact_phone": item.contact_phone, "cancelled_at": item.cancelled_at, "cancel_reason": item.cancel_reason,
        "cooperating_units": [{"unit_id": part.unit_id, "unit_name": part.unit.short_name,
                               "done": part.is_done, "done_at": part.part_done_at, "note": part.part_note}
                              for part in item.cooperators],
        "children": [{"id": child.id, "title": wording.title(child), "unit_id": child.unit_id,
                      "unit_name": child.unit.short_name, "status": child.status, "due_date": child.due_date,
                      "cancelled": child.cancelled_at is not None,
                      "light": None if child.cancelled_at else lit(child.status, child.due_date)}
                     for child in children],
        "offers": offers.of_item(actor, item, facts.day, **already),
    }
