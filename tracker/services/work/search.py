"""What a search box finds: the item's own words, its unit by full or short name, and its task by number.

"市公安局" and "乙区" (part of 乙区人民政府 / 乙区政府) find the unit's items; "任务8", "任务 8", "task 8" and a bare
"8" find task 8's items (a bare number also matches text with that number in it). A condition on WorkItem only,
so it fits any query over work items whatever it joins.
"""
from __future__ import annotations

import re

import sqlalchemy as sa

from ...models import Task, Unit, WorkItem
from ..plan import wording

TASK_NUMBER = re.compile(r"^\s*(?:任务|第|task)?\s*(\d{1,3})\s*(?:项|号)?\s*$", re.IGNORECASE)


def item_search_clause(q: str) -> sa.ColumnElement[bool]:
    """Items whose title (as stored, or as people read it with the plan's values) or description holds `q`, whose unit's name or short name holds it, or whose task's
    number it names."""
    units = sa.select(Unit.id).where(sa.or_(Unit.name.icontains(q, autoescape=True),
                                            Unit.short_name.icontains(q, autoescape=True)))
    found = [WorkItem.title.icontains(q, autoescape=True), WorkItem.description.icontains(q, autoescape=True),
             wording.title_column().icontains(q, autoescape=True),  # 不少于4次 finds the plan's 不少于X次 once set
             WorkItem.unit_id.in_(units)]
    number = TASK_NUMBER.match(q)
    if number:
        found.append(WorkItem.task_id.in_(sa.select(Task.id).where(Task.number == int(number.group(1)))))
    return sa.or_(*found)
