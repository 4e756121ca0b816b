"""Creating and correcting work items outside the plan file: the office assigns plan work and ad-hoc work
(交办件), words it, moves its due date with a reason, changes its priority, and cancels it (撤销, never deleted).
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import joinedload

from ...errors import Invalid
from ...extensions import db
from ...models import ItemSource, ItemStatus, Phase, Plan, Priority, Task, Unit, User, WorkItem
from ..ledger import escalation, records
from ..plan import wording
from ..plan.event_words import SOURCE_LABELS
from ..plan.phases import phase_on
from ..trust import audit, permissions
from . import assignment, item_news, item_rules
from .workflow import bottom_position, check_version, flush_guarded, snapshot

EDITABLE = ("title", "description", "priority", "due_date", "source", "source_ref")


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


def new_item(*, actor: User, plan_id: int, phase_id: int, unit: Unit, title: str, due_date: date, now: datetime,
              **fields: Any) -> WorkItem:
    """A card at the bottom of 待签收, flushed for its id; `created` then audits it and tells the units."""
    item = WorkItem(plan_id=plan_id, phase_id=phase_id, unit_id=unit.id, title=title, due_date=due_date,
                    original_due_date=due_date, status=ItemStatus.ASSIGNED,
                    position=bottom_position(plan_id, ItemStatus.ASSIGNED), created_by_id=actor.id,
                    created_at=now, updated_at=now, **fields)
    db.session.add(item)
    db.session.flush()
    return item


def created(item: WorkItem, *, actor: User, cooperating: list[Unit], now: datetime, notice: str) -> WorkItem:
    """Attach the cooperating units, audit the creation and tell the units carrying it."""
    assignment.add_cooperators(item, cooperating)
    db.session.flush()
    audit.record(actor=actor, action="item.create", entity_type="work_item", entity_id=item.id,
                 item_id=item.id, after=snapshot(item), now=now)
    item_news.notify(unit_ids=item_news.carrying_units(item), item=item, kind="assigned", text=notice, actor=actor,
                   now=now)
    return item


def create_items(*, actor: User, task: Task, phase: Phase, units: list[Unit], title: str, due_date: date,
                 now: datetime, description: str = "", priority: Priority = Priority.NORMAL,
                 cooperating: list[Unit] | None = None) -> list[WorkItem]:
    """One new card per lead unit, at the bottom of 待签收, each with the same cooperating units. Office only."""
    permissions.require_office(actor)
    if phase.plan_id != task.plan_id:
        raise Invalid("阶段不属于该任务所在的计划", "The phase belongs to another plan",
                      fields={"phase_id": ["不属于该计划"]})
    if not units:
        raise Invalid("至少指定一个承办单位", "Name at least one unit", fields={"unit_ids": ["至少一个"]})
    _check_due(task, due_date)
    return [created(new_item(actor=actor, plan_id=task.plan_id, phase_id=phase.id, unit=unit, title=title,
                              due_date=due_date, now=now, task_id=task.id, description=description,
                              priority=priority),
                    actor=actor, cooperating=cooperating or [], now=now, notice=f"新交办工作项:{title}")
            for unit in units]


def create_ad_hoc(*, actor: User, plan: Plan, source: ItemSource, source_ref: str | None, title: str,
                  description: str, due_date: date, lead: Unit, cooperating: list[Unit], now: datetime,
                  priority: Priority = Priority.NORMAL) -> WorkItem:
    """An ad-hoc item (交办件): no plan task, a source and its reference; on the plan's boards as 交办事项.
    Office only. Its due date may fall after the plan's end: such work keeps arriving."""
    permissions.require_office(actor)
    if due_date < plan.start_date:
        raise Invalid(f"截止日期不能早于计划开始日 {plan.start_date}", f"Due before the plan starts ({plan.start_date})",
                      code="due_out_of_range", fields={"due_date": ["早于计划开始日"]})
    item = new_item(actor=actor, plan_id=plan.id, phase_id=phase_on(plan, due_date).id, unit=lead, title=title,
                     due_date=due_date, now=now, description=description, priority=priority, source=source,
                     source_ref=(source_ref or "").strip() or None)
    return created(item, actor=actor, cooperating=cooperating, now=now,
                   notice=f"新交办事项({SOURCE_LABELS[source][0]}):{title}")


def edit_item(item: WorkItem, *, actor: User, changes: dict[str, Any], expected_version: int, now: datetime,
              reason: str | None = None) -> WorkItem:
    """The office corrects a card: wording, priority, due date. A new due date needs a reason (audited with
    it), keeps the original due date and starts a new ladder cycle; the units carrying the item are told."""
    item_rules.require(actor, item, "edit")
    check_version(item, expected_version)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid("不能修改这些字段", "These fields cannot be changed",
                      fields={name: ["不能修改"] for name in sorted(unknown)})
    new_due = changes.get("due_date", item.due_date)
    moves_due = "due_date" in changes and new_due != item.due_date
    if moves_due:
        reason = assignment.required_text(reason, "reason", "调整截止日期须说明理由", "A new due date needs a reason")
        if new_due is None:
            raise Invalid("截止日期不能清空", "The due date cannot be removed", fields={"due_date": ["必填"]})
        if item.task is not None:
            _check_due(item.task, new_due)
        if item.parent is not None and item.parent.due_date and new_due > item.parent.due_date:
            raise Invalid("下级分解事项的截止日期不能晚于上级事项", "A sub-item cannot be due after its parent",
                          code="due_after_parent", fields={"due_date": ["晚于上级事项截止日期"]})
    before = snapshot(item)
    for name, value in changes.items():
        setattr(item, name, value)
    if snapshot(item) == before:
        return item
    item.updated_at = now
    if moves_due:
        escalation.on_due_date_changed(item, now=now, timezone=item.plan.timezone)
    flush_guarded()
    audit.record(actor=actor, action="item.edit", entity_type="work_item", entity_id=item.id, item_id=item.id,
                 before=before, after=snapshot(item) | ({"reason": reason} if moves_due else {}), now=now)
    item_news.notify(unit_ids=item_news.carrying_units(item), item=item, kind="corrected",
                   text=f"办公室已修改“{wording.title(item)}”" + (f",截止日期改为 {new_due}:{reason}" if moves_due else ""),
                   actor=actor, now=now)
    return item


def cancel_item(item: WorkItem, *, actor: User, reason: str, expected_version: int, now: datetime) -> WorkItem:
    """撤销: the supervisor (the office; for a child item the unit that split it) withdraws an item with a
    reason. It stays in the database and the audit trail, leaves the boards, the figures and the ladder, and no
    longer holds its parent back. Done items are not cancelled."""
    item_rules.require(actor, item, "cancel")
    check_version(item, expected_version)
    text = assignment.required_text(reason, "reason", "撤销须说明理由", "Cancelling needs a reason")
    before = snapshot(item)
    item.cancelled_at, item.cancel_reason, item.updated_at = now, text, now
    flush_guarded()
    audit.record(actor=actor, action="item.cancel", entity_type="work_item", entity_id=item.id, item_id=item.id,
                 before=before, after=snapshot(item), now=now)
    records.settle_item(item.id, now=now)  # a withdrawn item owes nothing: its open records settle with it
    item_news.notify(unit_ids=item_news.carrying_units(item), item=item, kind="cancelled",
                   text=f"“{wording.title(item)}”已撤销:{text}", actor=actor, now=now)
    return item
