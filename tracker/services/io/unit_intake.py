"""Excel intake of the unit list (单位名单): one unit per row, checked row by row, written all at once or not at all.

Split from intake.py (the 任务分解表), whose sheet reading, row outcomes and report it shares. Columns: 单位标识,
单位名称, 简称, 类型, 上级单位, 联系邮箱. Kinds are named by key or name; parents by key, full or short name, among
the units already loaded and the sheet's own rows; a parent that would make a cycle is refused.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

import sqlalchemy as sa

from ...extensions import db
from ...models import Unit, UnitKind, User
from ..trust import audit, permissions
from .intake_rows import SEPARATORS, IntakeReport, RowOutcome, Rows, _refuse_if_any, _text, read_rows, workbook

UNIT_COLUMNS = ("单位标识", "单位名称", "简称", "类型", "上级单位", "联系邮箱")
UNIT_REQUIRED = ("单位标识", "单位名称", "类型")
UNIT_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def read_units(stream: IO[bytes]) -> Rows:
    """The unit list's rows (see read_rows)."""
    return read_rows(stream, columns=UNIT_COLUMNS, required=UNIT_REQUIRED)


@dataclass
class _PlannedUnit:
    outcome: RowOutcome
    values: dict[str, Any]
    parent_key: str | None
    existing: Unit | None


def unit_template() -> bytes:
    """An empty unit list with its header and one example row."""
    return workbook("单位名单", UNIT_COLUMNS, [["jiaqu_nanyuan", "甲区南苑街道办事处", "南苑街道", "乡镇人民政府(街道办事处)",
                                          "甲区政府", "nanyuan@xx.example.gov.cn"]])


def import_units(rows: Rows, *, actor: User, commit: bool, now: datetime) -> IntakeReport:
    """The unit list (as `read_units` read it) (key, names, kind, parent, contacts) row by row, then all rows or none; office only.
    Kinds are named by key or name; parents by key, full or short name, among the units already loaded and
    the sheet's own rows; a parent that would make a cycle is refused."""
    permissions.require_office(actor)
    kinds = {key: key for key, _name in db.session.execute(sa.select(UnitKind.key, UnitKind.name))}
    kinds |= {name: key for key, name in db.session.execute(sa.select(UnitKind.key, UnitKind.name))}
    existing = {u.key: u for u in db.session.scalars(sa.select(Unit))}
    names: dict[str, set[str]] = {}
    for unit in existing.values():
        for name in (unit.key, unit.name, unit.short_name):
            names.setdefault(name, set()).add(unit.key)
    for _number, record in rows:
        key = _text(record.get("单位标识"))
        for name in (key, _text(record.get("单位名称")), _text(record.get("简称"))):
            if name:
                names.setdefault(name, set()).add(key)
    planned: list[_PlannedUnit] = []
    outcomes: list[RowOutcome] = []
    seen: set[str] = set()
    for number, record in rows:
        found = _plan_unit(number, record, kinds, names, existing, seen)
        outcomes.append(found.outcome if isinstance(found, _PlannedUnit) else found)
        if isinstance(found, _PlannedUnit):
            planned.append(found)
    _refuse_cycles(planned, existing)
    report = IntakeReport(committed=False, rows=outcomes)
    if not commit:
        return report
    _refuse_if_any(outcomes)
    _write_units(planned, existing, actor=actor, now=now)
    report.committed = True
    return report


def _plan_unit(number: int, record: dict[str, Any], kinds: dict[str, str], names: dict[str, set[str]],
               existing: dict[str, Unit], seen: set[str]) -> _PlannedUnit | RowOutcome:
    reasons: list[str] = []
    key, name = _text(record.get("单位标识")), _text(record.get("单位名称"))
    outcome = RowOutcome(row=number, number=key, title=name, action="refused", reasons=reasons)
    if not UNIT_KEY.match(key):
        reasons.append(f"单位标识“{key}”只能使用小写字母、数字、下划线和连字符")
    if key in seen:
        reasons.append(f"单位标识“{key}”重复")
    seen.add(key)
    if not name:
        reasons.append("单位名称为空")
    kind = kinds.get(_text(record.get("类型")))
    if kind is None:
        reasons.append(f"类型“{_text(record.get('类型'))}”不存在")
    parent_name, parent_key = _text(record.get("上级单位")), None
    if parent_name:
        candidates = names.get(parent_name, set())
        if len(candidates) != 1:
            reasons.append(f"上级单位“{parent_name}”" + ("不存在" if not candidates else "对应多个单位,请写单位标识"))
        else:
            parent_key = next(iter(candidates))
    emails = [e for e in SEPARATORS.split(_text(record.get("联系邮箱"))) if e]
    reasons += [f"联系邮箱“{e}”格式不正确" for e in emails if not EMAIL.match(e)]
    if reasons or kind is None:
        return outcome
    values = {"name": name[:200], "short_name": (_text(record.get("简称")) or name)[:64], "kind": kind,
              "emails": emails}
    unit = existing.get(key)
    same_parent = unit is not None and (
        (parent_key is None and unit.parent_id is None)
        or (parent_key in existing and unit.parent_id == existing[parent_key].id))
    same = same_parent and all(getattr(unit, k) == v for k, v in values.items())
    outcome.action = "created" if unit is None else "unchanged" if same else "updated"
    return _PlannedUnit(outcome=outcome, values=values, parent_key=parent_key, existing=unit)


def _refuse_cycles(planned: list[_PlannedUnit], existing: dict[str, Unit]) -> None:
    parent_of = {key: (unit.parent.key if unit.parent else None) for key, unit in existing.items()}
    parent_of |= {entry.outcome.number: entry.parent_key for entry in planned}
    for entry in planned:
        key, steps = entry.parent_key, 0
        while key is not None and steps <= len(parent_of):
            if key == entry.outcome.number:
                entry.outcome.action = "refused"
                entry.outcome.reasons.append("上级单位关系成环")
                break
            key, steps = parent_of.get(key), steps + 1


def _write_units(planned: list[_PlannedUnit], existing: dict[str, Unit], *, actor: User, now: datetime) -> None:
    by_key = dict(existing)
    for entry in planned:
        if entry.outcome.action == "created":
            unit = Unit(key=entry.outcome.number, tags=[], is_sample=False, **entry.values)
            db.session.add(unit)
            by_key[unit.key] = unit
        elif entry.outcome.action == "updated":
            for name, value in entry.values.items():
                setattr(by_key[entry.outcome.number], name, value)
    db.session.flush()
    for entry in planned:
        unit = by_key[entry.outcome.number]
        unit.parent_id = by_key[entry.parent_key].id if entry.parent_key else None
        if entry.outcome.action != "unchanged":
            audit.record(actor=actor, action=f"unit.{entry.outcome.action}", entity_type="unit", entity_id=unit.id,
                         after=unit.as_audit() | {"parent": entry.parent_key, "emails": unit.emails}, now=now)
    db.session.flush()
