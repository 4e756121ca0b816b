"""Plans as a reader sees them, and the office setting the plan's "X" values."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ...errors import Invalid, NotFound
from ...extensions import db
from ...models import Plan, Task, TaskGroup, TaskParameter, User, WorkItem
from ..trust import audit, permissions


def get_plan(plan_id: int) -> Plan:
    """Any signed-in user may read a plan: units need its structure to read their own items."""
    plan = db.session.execute(
        sa.select(Plan).where(Plan.id == plan_id).options(
            selectinload(Plan.phases),
            selectinload(Plan.groups).selectinload(TaskGroup.tasks).selectinload(Task.parameters))
    ).scalar_one_or_none()
    if plan is None:
        raise NotFound("计划不存在", "Plan not found", code="plan_not_found")
    return plan


def design_note(item: WorkItem, *, actor: User) -> str:
    """The seed file's note on the item's template (why a date or a carrier was chosen where the plan is silent),
    for the office that chose it; units read the plan's words, not the office's reasoning about them."""
    if not permissions.is_office(actor) or item.template is None:
        return ""
    return item.template.note


def all_plans() -> list[Plan]:
    return list(db.session.scalars(sa.select(Plan).order_by(Plan.id)))


def set_parameters(plan: Plan, *, actor: User, values: dict[int, str | None], now: datetime) -> list[TaskParameter]:
    """Set (or clear, with None) parameters of this plan by id. Office only; all or nothing.

    Raises Invalid naming every id that is not a parameter of this plan.
    """
    permissions.require_office(actor)
    params = {p.id: p for p in db.session.scalars(
        sa.select(TaskParameter).join(Task).where(Task.plan_id == plan.id, TaskParameter.id.in_(values)))}
    missing = sorted(set(values) - set(params))
    if missing:
        raise Invalid("这些参数不属于该计划", "These parameters are not part of this plan",
                      code="parameter_not_found", fields={str(pid): ["不属于该计划"] for pid in missing})
    cleaned = {pid: (value.strip() if isinstance(value, str) and value.strip() else None)
               for pid, value in values.items()}
    wrong = {str(pid): [problem] for pid, value in cleaned.items()
             if value is not None and (problem := _number_problem(params[pid], value))}
    if wrong:
        raise Invalid("参数值须为数字(次数为整数,比率为 0 至 100)", "Parameter values must be numbers (counts whole, "
                      "rates 0 to 100)", code="parameter_not_a_number", fields=wrong)
    changed = []
    for pid, value in cleaned.items():
        param = params[pid]
        if param.value == value:
            continue
        before: dict[str, Any] = {"key": param.key, "value": param.value}
        param.value, param.set_by_id, param.set_at = value, actor.id, now
        db.session.flush()
        audit.record(actor=actor, action="plan.parameter", entity_type="task_parameter", entity_id=param.id,
                     before=before, after={"key": param.key, "value": value}, now=now)
        changed.append(param)
    return changed


def _number_problem(param: TaskParameter, value: str) -> str | None:
    """What is wrong with a parameter's value: a count (次, 小时, ...) is a whole number, a rate (%) a number from
    0 to 100; ASCII digits only, so "三" or fullwidth digits are refused rather than guessed."""
    if param.unit_label == "%":
        if not re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,2})?", value) or float(value) > 100:
            return "须为 0 至 100 的数字"
        return None
    if not re.fullmatch(r"[0-9]{1,6}", value):
        return "须为整数"
    return None
