"""Writing validated seed files into the database, idempotently.

Everything is matched by its stable key, so loading a file twice changes nothing and loading an edited file
updates in place. Nothing is deleted: an item whose template left the file stays with its history. An item
no person has acted on yet follows its template's new title, description, due date and phase.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import (
    Direction,
    EvidenceRule,
    Event,
    Indicator,
    IndicatorPeriod,
    ItemStatus,
    ItemTemplate,
    ItemUnit,
    Phase,
    PhaseSource,
    Plan,
    Priority,
    Task,
    TaskGroup,
    TaskParameter,
    Unit,
    UnitKind,
    WorkItem,
)
from ..trust import audit
from ..work.ordering import GAP
from .plan_files import DIRECTIONS, occurrences
from .phases import phase_on
from ..work.workflow import snapshot

LOADER = "loader"


@dataclass
class LoadReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    new_objects: set[int] = field(default_factory=set)

    def summary(self) -> dict[str, dict[str, int]]:
        return {"created": dict(self.created), "updated": dict(self.updated)}


def _assign(obj: Any, values: dict[str, Any], report: LoadReport, what: str) -> bool:
    changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
    for key, value in changed.items():
        setattr(obj, key, value)
    if changed and id(obj) not in report.new_objects:
        report.updated[what] += 1
    return bool(changed)


def _upsert(model: type[Any], lookup: dict[str, Any], values: dict[str, Any], report: LoadReport,
            what: str) -> Any:
    obj = db.session.execute(sa.select(model).filter_by(**lookup)).scalar_one_or_none()
    if obj is None:
        obj = model(**lookup, **values)
        db.session.add(obj)
        report.created[what] += 1
        report.new_objects.add(id(obj))
    else:
        _assign(obj, values, report, what)
    return obj


def load_units(data: dict[str, Any], *, now: datetime) -> LoadReport:
    """Upsert unit kinds and units from a parsed units file (see plan_files.parse_units)."""
    report = LoadReport()
    for key, name in data["kinds"].items():
        _upsert(UnitKind, {"key": key}, {"name": name}, report, "unit_kinds")
    db.session.flush()
    by_key: dict[str, Unit] = {}
    for spec in data["units"]:
        by_key[spec["key"]] = _upsert(Unit, {"key": spec["key"]}, {
            "name": spec["name"], "short_name": spec["short"], "kind": spec["kind"], "tags": spec["tags"],
            "emails": spec["emails"], "is_sample": data["sample"],
        }, report, "units")
    db.session.flush()
    for spec in data["units"]:
        parent = by_key[spec["parent"]] if spec["parent"] else None
        _assign(by_key[spec["key"]], {"parent_id": parent.id if parent else None}, report, "units")
    db.session.flush()
    if report.created or report.updated:
        audit.record(actor=None, actor_label=LOADER, action="units.load", entity_type="unit", entity_id=None,
                     after=report.summary(), now=now)
    return report


def load_plan(data: dict[str, Any], *, now: datetime) -> tuple[Plan, LoadReport]:
    """Upsert a parsed plan file (see plan_files.parse_plan) and create the work items it now requires."""
    report = LoadReport()
    units = {u.key: u for u in db.session.scalars(sa.select(Unit))}
    plan = _upsert(Plan, {"key": data["key"]}, {
        "title": data["title"], "short_title": data["short"], "timezone": data["timezone"],
        "start_date": data["start"], "end_date": data["end"], "office_unit_id": units[data["office"]].id,
        "evidence_rule": EvidenceRule(data["evidence"]), "ad_hoc_evidence_rule": EvidenceRule(data["ad_hoc_evidence"]),
        "contest_days": data["contest_days"],
    }, report, "plans")
    if plan.loaded_at is None:
        plan.loaded_at = now
    db.session.flush()
    phases = {p["key"]: _upsert(Phase, {"plan_id": plan.id, "key": p["key"]}, {
        "seq": p["seq"], "name": p["name"], "start_date": p["start"], "end_date": p["end"],
        "source": PhaseSource(p["source"]),
    }, report, "phases") for p in data["phases"]}
    groups = {g["key"]: _upsert(TaskGroup, {"plan_id": plan.id, "key": g["key"]}, {
        "seq": g["seq"], "title": g["title"],
    }, report, "groups") for g in data["groups"]}
    db.session.flush()
    db.session.expire(plan, ["phases"])  # phase_on reads plan.phases: the ones just written, not a stale list
    positions = _ColumnEnd(plan.id)
    tasks: dict[int, Task] = {}
    for spec in data["tasks"]:
        task = _upsert(Task, {"plan_id": plan.id, "number": spec["number"]}, {
            "group_id": groups[spec["group"]].id, "title": spec["title"], "text": spec["text"],
            "lead_unit_id": units[spec["lead"]].id if spec["lead"] else None,
        }, report, "tasks")
        tasks[spec["number"]] = task
        db.session.flush()
        for param in spec["parameters"]:
            _upsert(TaskParameter, {"task_id": task.id, "key": param["key"]}, {
                "label": param["label"], "unit_label": param["unit"],
            }, report, "parameters")
        for item_spec in spec["items"]:
            template = _upsert(ItemTemplate, {"task_id": task.id, "key": item_spec["key"]}, {
                "title": item_spec["title"], "description": item_spec["description"], "note": item_spec["note"],
                "carriers": item_spec["carriers"], "cooperators": item_spec["cooperators"],
                "x_keys": item_spec["x"] or None,
                "due_rule": audit.jsonable(item_spec["due"]),
                "phase_id": phases[item_spec["phase"]].id if item_spec["phase"] else None,
                "priority": Priority(item_spec["priority"]),
                "evidence_rule": EvidenceRule(item_spec["evidence"]) if item_spec["evidence"] else None,
            }, report, "templates")
            db.session.flush()
            _expand(template, item_spec, data, plan, task, phases, units, positions, report, now)
    db.session.flush()
    _load_indicators(data["indicators"], plan, tasks, report, due_days=data["indicator_due_days"])
    if report.created or report.updated:
        audit.record(actor=None, actor_label=LOADER, action="plan.load", entity_type="plan", entity_id=plan.id,
                     after=report.summary(), now=now)
    return plan, report


def _load_indicators(specs: list[dict[str, Any]], plan: Plan, tasks: dict[int, Task], report: LoadReport, *,
                     due_days: int) -> None:
    """Upsert the plan's indicators by key; a target parameter is found in the indicator's task, or in the one
    task that declares it (plan_files checked that there is exactly one). An indicator without its own
    `due_days` takes the plan file's `indicator_due_days`."""
    parameters = {(p.task_id, p.key): p for p in db.session.scalars(
        sa.select(TaskParameter).where(TaskParameter.task_id.in_([t.id for t in tasks.values()])))}
    for seq, spec in enumerate(specs, start=1):
        task = tasks[spec["task"]] if spec["task"] is not None else None
        target_key = spec["target"]["parameter"]
        parameter = None
        if target_key is not None:
            parameter = next(p for (task_id, key), p in parameters.items()
                             if key == target_key and (task is None or task_id == task.id))
        _upsert(Indicator, {"plan_id": plan.id, "key": spec["key"]}, {
            "seq": seq, "task_id": task.id if task else None, "name": spec["name"], "measure": spec["measure"],
            "direction": Direction(DIRECTIONS[spec["direction"]]), "period": IndicatorPeriod(spec["period"]),
            "target_parameter_id": parameter.id if parameter else None,
            "target_value": spec["target"]["value"], "reporters": spec["reporters"],
            "first_year": spec["first_year"], "last_year": spec["last_year"], "text": spec["text"],
            "due_days": due_days if spec["due_days"] is None else spec["due_days"],
        }, report, "indicators")
    db.session.flush()


class _ColumnEnd:
    """Positions at the bottom of the plan's 待签收 column, read once and counted on locally."""

    def __init__(self, plan_id: int) -> None:
        last = db.session.execute(sa.select(sa.func.max(WorkItem.position)).where(
            WorkItem.plan_id == plan_id, WorkItem.status == ItemStatus.ASSIGNED)).scalar()
        self.last = last if last is not None else 0

    def next(self) -> int:
        self.last += GAP
        return self.last


def carriers_of(carriers: dict[str, list[str]], units: dict[str, Unit]) -> list[Unit]:
    """Every unit of the named kinds, with the named tags, or named by key, in key order."""
    kinds, tags, keys = set(carriers["kinds"]), set(carriers["tags"]), set(carriers["units"])
    return sorted(
        (u for u in units.values() if u.kind in kinds or tags.intersection(u.tags) or u.key in keys),
        key=lambda u: u.key,
    )


def _phase_for(day: date, template_phase: Phase | None, plan: Plan) -> Phase:
    return template_phase if template_phase is not None else phase_on(plan, day)


def _expand(template: ItemTemplate, spec: dict[str, Any], data: dict[str, Any], plan: Plan, task: Task,
            phases: dict[str, Phase], units: dict[str, Unit], positions: _ColumnEnd, report: LoadReport,
            now: datetime) -> None:
    template_phase = phases[spec["phase"]] if spec["phase"] else None
    existing = {(i.unit_id, i.recurrence_key): i for i in db.session.scalars(
        sa.select(WorkItem).where(WorkItem.template_id == template.id))}
    touched = set(db.session.scalars(sa.select(Event.item_id).distinct().where(
        Event.item_id.in_([i.id for i in existing.values()]), Event.actor_id.is_not(None))))
    cooperating = cooperators_of(spec["cooperators"], units)
    for unit in carriers_of(spec["carriers"], units):
        for recurrence_key, due in occurrences(spec["due"], data):
            values = {
                "title": template.title, "description": template.description, "due_date": due,
                "original_due_date": due, "phase_id": _phase_for(due, template_phase, plan).id,
                "priority": template.priority,
            }
            item = existing.get((unit.id, recurrence_key))
            if item is None:
                _create_item(plan, task, template, unit, recurrence_key, values, positions.next(), now,
                             [other for other in cooperating if other.id != unit.id])
                report.created["items"] += 1
            elif item.id not in touched and item.status == ItemStatus.ASSIGNED:
                _follow_template(item, values, report, now)


def cooperators_of(cooperators: dict[str, list[str]] | None, units: dict[str, Unit]) -> list[Unit]:
    """The cooperating units a template names, by kind or key, in key order."""
    if not cooperators:
        return []
    kinds, keys = set(cooperators["kinds"]), set(cooperators["units"])
    return sorted((u for u in units.values() if u.kind in kinds or u.key in keys), key=lambda u: u.key)


def _create_item(plan: Plan, task: Task, template: ItemTemplate, unit: Unit, recurrence_key: str,
                 values: dict[str, Any], position: int, now: datetime, cooperating: list[Unit]) -> None:
    """A new item of a template, led by `unit`, with the template's cooperating units (never the lead itself)."""
    item = WorkItem(plan_id=plan.id, task_id=task.id, template_id=template.id, unit_id=unit.id,
                    recurrence_key=recurrence_key, status=ItemStatus.ASSIGNED, position=position,
                    created_at=now, updated_at=now, cooperators=[ItemUnit(unit_id=u.id) for u in cooperating],
                    **values)
    db.session.add(item)
    db.session.flush()
    audit.record(actor=None, actor_label=LOADER, action="item.create", entity_type="work_item",
                 entity_id=item.id, item_id=item.id, after=snapshot(item), now=now)


def _follow_template(item: WorkItem, values: dict[str, Any], report: LoadReport, now: datetime) -> None:
    """An item no person has touched yet takes the template's new wording and dates."""
    before = snapshot(item)
    if not _assign(item, values, report, "items"):
        return
    item.updated_at = now
    db.session.flush()
    audit.record(actor=None, actor_label=LOADER, action="item.follow_template", entity_type="work_item",
                 entity_id=item.id, item_id=item.id, before=before, after=snapshot(item), now=now)
