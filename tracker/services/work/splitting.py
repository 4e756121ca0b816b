"""Splitting an item down the unit tree (二次分解).

A unit with subordinate units splits an item it leads into child items, one per subordinate unit it names,
due no later than the parent. For its children the unit acts as the office does (review, extension decisions,
cancelling; see permissions.supervises_unit), the parent shows its children's progress, and the parent cannot be
submitted while a child is open (workflow). Children can be split again: the depth is not limited.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ...errors import Invalid
from ...models import Unit, User, WorkItem
from ..trust import audit, permissions
from . import item_rules, items


@dataclass(frozen=True)
class Part:
    """One child to create: the subordinate unit leading it, its wording and due date."""

    unit: Unit
    title: str
    due_date: date
    description: str = ""


def split(item: WorkItem, *, actor: User, parts: list[Part], now: datetime) -> list[WorkItem]:
    """Create one child item per part; the lead unit's admin only, on an item not yet submitted or done.

    Raises NotAllowed (not the lead unit's admin), Invalid (no parts, a unit that is not below the lead unit,
    a due date after the parent's, an item already submitted, done or cancelled).
    """
    item_rules.require(actor, item, "split")
    if not parts:
        raise Invalid("至少指定一个下属单位", "Name at least one subordinate unit", fields={"parts": ["至少一项"]})
    for index, part in enumerate(parts):
        if not permissions.is_below(part.unit.id, item.unit_id):
            raise Invalid(f"“{part.unit.short_name}”不是本单位的下属单位",
                          f"{part.unit.short_name} is not below your unit", code="unit_not_subordinate",
                          fields={f"parts.{index}.unit_id": ["不是下属单位"]})
        if item.due_date is not None and part.due_date > item.due_date:
            raise Invalid(f"分解事项的截止日期不能晚于 {item.due_date}",
                          f"A sub-item cannot be due after its parent ({item.due_date})", code="due_after_parent",
                          fields={f"parts.{index}.due_date": ["晚于上级事项截止日期"]})
        if not part.title.strip():
            raise Invalid("分解事项须有标题", "A sub-item needs a title", fields={f"parts.{index}.title": ["必填"]})
    children = [
        items.created(items.new_item(actor=actor, plan_id=item.plan_id, phase_id=item.phase_id, unit=part.unit,
                                      title=part.title.strip(), due_date=part.due_date, now=now,
                                      description=part.description, priority=item.priority, task_id=item.task_id,
                                      source=item.source, source_ref=item.source_ref, parent_id=item.id),
                      actor=actor, cooperating=[], now=now,
                      notice=f"{item.unit.short_name}分解交办:{part.title.strip()}")
        for part in parts
    ]
    audit.record(actor=actor, action="item.split", entity_type="work_item", entity_id=item.id, item_id=item.id,
                 after={"children": [child.id for child in children]}, now=now)
    return children
