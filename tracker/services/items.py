"""Creating and editing work items outside the plan file: the office assigns and words the work."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import joinedload

from ..errors import Invalid
from ..extensions import db
from ..models import ItemStatus, Phase, Priority, Task, Unit, User, WorkItem
from . import audit, permissions
from .workflow import bottom_position, check_version, flush_guarded, snapshot

EDITABLE = ("title", "description", "priority")


def get_visible(item_id: int, *, actor: User) -> WorkItem:
    """The one way a door loads an item: with its task and unit (every answer about an item shows them), and
    only if the actor may see it; otherwise not found, whether it exists or not."""
    item = db.session.get(WorkItem, item_id, options=[joinedload(WorkItem.task), joinedload(WorkItem.unit)])
    return permissions.require_visible(actor, item)


def _check_due(task: Task, due: date) -> None:
    plan = task.plan
    if not plan.start_date <= due <= plan.end_date:
        raise Invalid(f"截止日期须在计划起止日期 {plan.start_date} 至 {plan.end_date} 之内",
                      f"The due date must lie within the plan, {plan.start_date} to {plan.end_date}",
                      code="due_out_of_range", fields={"due_date": ["超出计划起止日期"]})


def create_items(*, actor: User, task: Task, phase: Phase, units: list[Unit], title: str, due_date: date,
                 now: datetime, description: str = "", priority: Priority = Priority.NORMAL) -> list[WorkItem]:
    """One new card per unit, at the bottom of 待签收. Office only."""
    permissions.require_office(actor)
    if phase.plan_id != task.plan_id:
        raise Invalid("阶段不属于该任务所在的计划", "The phase belongs to another plan",
                      fields={"phase_id": ["不属于该计划"]})
    if not units:
        raise Invalid("至少指定一个承办单位", "Name at least one unit", fields={"unit_ids": ["至少一个"]})
    _check_due(task, due_date)
    created = []
    for unit in units:
        item = WorkItem(plan_id=task.plan_id, task_id=task.id, phase_id=phase.id, unit_id=unit.id,
                        title=title, description=description, priority=priority, due_date=due_date,
                        original_due_date=due_date, status=ItemStatus.ASSIGNED,
                        position=bottom_position(task.plan_id, ItemStatus.ASSIGNED),
                        created_by_id=actor.id, created_at=now, updated_at=now)
        db.session.add(item)
        db.session.flush()
        audit.record(actor=actor, action="item.create", entity_type="work_item", entity_id=item.id,
                     item_id=item.id, after=snapshot(item), now=now)
        created.append(item)
    return created


def edit_item(item: WorkItem, *, actor: User, changes: dict[str, Any], expected_version: int,
              now: datetime) -> WorkItem:
    """Change the wording or priority of a card. Office only; the version must be current."""
    permissions.require_office(actor)
    check_version(item, expected_version)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid("不能修改这些字段", "These fields cannot be changed",
                      fields={name: ["不能修改"] for name in sorted(unknown)})
    before = snapshot(item)
    for name, value in changes.items():
        setattr(item, name, value)
    if snapshot(item) == before:
        return item
    item.updated_at = now
    flush_guarded()
    audit.record(actor=actor, action="item.edit", entity_type="work_item", entity_id=item.id, item_id=item.id,
                 before=before, after=snapshot(item), now=now)
    return item
