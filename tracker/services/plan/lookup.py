"""Resolving ids a request body names (a task, a phase, units) into rows, refusing unknown ones per field.

A body that names a missing row is invalid input (422 with the field), not a missing resource (404).
"""
from __future__ import annotations

import sqlalchemy as sa

from ...errors import Invalid
from ...extensions import db
from ...models import Phase, Plan, Task, Unit


def _missing(field: str) -> Invalid:
    return Invalid("引用的对象不存在", "A referenced record does not exist", code="reference_not_found",
                   fields={field: ["不存在"]})


def task(task_id: int) -> Task:
    found = db.session.get(Task, task_id)
    if found is None:
        raise _missing("task_id")
    return found


def phase(phase_id: int) -> Phase:
    found = db.session.get(Phase, phase_id)
    if found is None:
        raise _missing("phase_id")
    return found


def units(unit_ids: list[int], field: str = "unit_ids") -> list[Unit]:
    """The units in the order given, each once."""
    wanted = list(dict.fromkeys(unit_ids))
    found = {u.id: u for u in db.session.scalars(sa.select(Unit).where(Unit.id.in_(wanted)))}
    if len(found) != len(wanted):
        raise _missing(field)
    return [found[uid] for uid in wanted]


def unit(unit_id: int, field: str = "unit_id") -> Unit:
    found = db.session.get(Unit, unit_id)
    if found is None:
        raise _missing(field)
    return found


def plan(plan_id: int | None) -> Plan:
    """The plan named, or the latest loaded plan when none is named."""
    found = db.session.get(Plan, plan_id) if plan_id is not None else db.session.scalars(
        sa.select(Plan).order_by(Plan.loaded_at.desc(), Plan.id.desc()).limit(1)).first()
    if found is None:
        raise _missing("plan_id")
    return found
