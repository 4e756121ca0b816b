"""Plans as a reader sees them, and the office setting the plan's "X" values."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..errors import Invalid, NotFound
from ..extensions import db
from ..models import Plan, Task, TaskGroup, TaskParameter, User
from . import audit, permissions


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
    changed = []
    for pid, value in values.items():
        param = params[pid]
        value = value.strip() if isinstance(value, str) and value.strip() else None
        if param.value == value:
            continue
        before: dict[str, Any] = {"key": param.key, "value": param.value}
        param.value, param.set_by_id, param.set_at = value, actor.id, now
        db.session.flush()
        audit.record(actor=actor, action="plan.parameter", entity_type="task_parameter", entity_id=param.id,
                     before=before, after={"key": param.key, "value": value}, now=now)
        changed.append(param)
    return changed
