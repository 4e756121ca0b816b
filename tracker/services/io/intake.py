"""Excel intake of a 任务分解表 (and of the unit list, at the end): one ad-hoc item per row, checked row by row,
written all at once or not at all.

Columns, by their header in the first row: 序号, 工作内容, 牵头单位, 配合单位, 责任人, 完成时限, 来源, 备注. Units are
named by full or short name (a name two units share is refused as ambiguous); 配合单位 lists several, separated by
、,,;;; 责任人 is a user of the lead unit, by display name or login name; 完成时限 a date cell or 2024-06-30 /
2024年6月30日; 来源 starts with one of 领导批示, 会议议定, 上级交办, 来文来电, 群众反映, 其他 and may go on with its
reference (会议议定:市政府第12次常务会议), and anything else is taken as a reference of source 其他.

A row is matched to an existing ad-hoc item by its wording and lead unit: the same file again changes nothing,
an edited due date, note, source or cooperating units updates the item (audited, the units told). The dry run
reports what each row would do; the commit does it only when no row is refused.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.styles import Font

from ...errors import Invalid
from ...extensions import db
from ...models import ItemSource, Plan, Unit, UnitKind, User, WorkItem
from . import sheets
from ..trust import audit, permissions
from ..work import assignment, items

COLUMNS = ("序号", "工作内容", "牵头单位", "配合单位", "责任人", "完成时限", "来源", "备注")
REQUIRED = ("工作内容", "牵头单位", "完成时限")
SEPARATORS = re.compile(r"[、,,;;\s]+")
CN_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
MAX_ROWS = 5_000
SOURCES = {label: source for source, (label, _en) in items.SOURCE_LABELS.items()}


@dataclass
class RowOutcome:
    """What one row does (or would do): created, updated, unchanged or refused, with the reasons."""

    row: int
    number: str
    title: str
    action: str
    reasons: list[str] = field(default_factory=list)
    item_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "number": self.number, "title": self.title, "action": self.action,
                "reasons": self.reasons, "item_id": self.item_id}


@dataclass
class IntakeReport:
    committed: bool
    rows: list[RowOutcome]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    def as_dict(self) -> dict[str, Any]:
        return {"committed": self.committed, "rows": [row.as_dict() for row in self.rows],
                "counts": {action: self.count(action) for action in ("created", "updated", "unchanged", "refused")}}


@dataclass
class _Planned:
    outcome: RowOutcome
    title: str
    description: str
    lead: Unit
    cooperating: list[Unit]
    person: User | None
    due: date
    source: ItemSource
    source_ref: str | None
    existing: WorkItem | None


def workbook(title: str, columns: tuple[str, ...], rows: list[list[Any]]) -> bytes:
    """A sheet with a bold header row and the given rows, as XLSX bytes (templates and tests)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its one sheet
    sheet.title = title
    sheet.append(list(columns))
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# The templates' download names: Chinese, and ASCII for clients that cannot read RFC 5987 (exports.content_disposition).
TEMPLATE_NAMES = {"tasks": ("任务分解表模板.xlsx", "tasks-template.xlsx"), "units": ("单位名单模板.xlsx", "units-template.xlsx")}


def template() -> bytes:
    """An empty 任务分解表 with the header row and one example row, for the office to fill in."""
    return workbook("任务分解表", COLUMNS, [[1, "开展行政执法案卷评查", "市司法局", "市公安局、市市场监管局", "", "2024-06-30",
                                         "会议议定:市政府第12次常务会议", "示例行,导入前请删除"]])


Rows = list[tuple[int, dict[str, Any]]]


def read_rows(stream: IO[bytes], *, columns: tuple[str, ...] = COLUMNS,
              required: tuple[str, ...] = REQUIRED) -> Rows:
    """The sheet's rows as {header: value}, with their row numbers; a file that is not such a sheet is refused.
    Reads the file only (no database), so a door calls it before its transaction begins
    (`database.outside_transaction`); the caps on the sheet itself are in `sheets`."""
    sheet = sheets.read_rows(stream)
    first = sheet[0][1] if sheet and sheet[0][0] == 1 else ()
    header = [str(cell).strip() if cell is not None else "" for cell in first]
    missing = [name for name in required if name not in header]
    if missing:
        raise Invalid(f"表头缺少:{'、'.join(missing)}(应为 {'、'.join(columns)})", "The header row lacks columns",
                      code="bad_header", fields={"file": [f"缺少列 {name}" for name in missing]})
    found = []
    for number, values in sheet[1:] if first else sheet:
        record = {name: value for name, value in zip(header, values, strict=False) if name}
        if any(value not in (None, "") for value in record.values()):
            found.append((number, record))
        if len(found) > MAX_ROWS:
            raise Invalid(f"一次最多导入 {MAX_ROWS} 行", f"At most {MAX_ROWS} rows", fields={"file": ["行数过多"]})
    return found


def read_units(stream: IO[bytes]) -> Rows:
    """The unit list's rows (see read_rows)."""
    return read_rows(stream, columns=UNIT_COLUMNS, required=UNIT_REQUIRED)


class _Units:
    """Units by full or short name; a name two units share is ambiguous."""

    def __init__(self) -> None:
        self.by_name: dict[str, list[Unit]] = {}
        for unit in db.session.scalars(sa.select(Unit).order_by(Unit.id)):
            for name in {unit.name, unit.short_name}:
                self.by_name.setdefault(name, []).append(unit)

    def find(self, name: str, column: str, reasons: list[str]) -> Unit | None:
        found = self.by_name.get(name, [])
        if not found:
            reasons.append(f"{column}“{name}”不存在")
        elif len(found) > 1:
            reasons.append(f"{column}“{name}”对应多个单位,请写全称")
        return found[0] if len(found) == 1 else None


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _due(value: Any, reasons: list[str]) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    match = CN_DATE.match(text)
    try:
        return date(*map(int, match.groups())) if match else date.fromisoformat(text)
    except ValueError:
        reasons.append(f"完成时限“{text}”不是有效日期(如 2024-06-30 或 2024年6月30日)")
        return None


def _source(text: str) -> tuple[ItemSource, str | None]:
    for label, source in SOURCES.items():
        if text.startswith(label):
            return source, text[len(label):].lstrip(":: ") or None
    return ItemSource.OTHER, text or None


def _person(text: str, lead: Unit | None, reasons: list[str]) -> User | None:
    if not text or lead is None:
        return None
    found = [u for u in assignment.unit_users(lead.id) if text in (u.display_name, u.username)]
    if len(found) != 1:
        reasons.append(f"责任人“{text}”不是牵头单位的在用账号" if not found else f"责任人“{text}”重名,请写登录名")
        return None
    return found[0]


def _existing(title: str, lead: Unit) -> WorkItem | None:
    return db.session.scalars(sa.select(WorkItem).where(
        WorkItem.task_id.is_(None), WorkItem.parent_id.is_(None), WorkItem.cancelled_at.is_(None),
        WorkItem.title == title, WorkItem.unit_id == lead.id).order_by(WorkItem.id).limit(1)).first()


def _plan_row(number: int, record: dict[str, Any], units: _Units, plan: Plan,
              seen: dict[tuple[str, int], int]) -> _Planned | RowOutcome:
    reasons: list[str] = []
    content = _text(record.get("工作内容"))
    outcome = RowOutcome(row=number, number=_text(record.get("序号")), title=content[:200], action="refused",
                         reasons=reasons)
    if not content:
        reasons.append("工作内容为空")
    lead_name = _text(record.get("牵头单位"))
    lead = units.find(lead_name, "牵头单位", reasons) if lead_name else None
    if not lead_name:
        reasons.append("牵头单位为空")
    cooperating = [unit for name in SEPARATORS.split(_text(record.get("配合单位"))) if name
                   if (unit := units.find(name, "配合单位", reasons)) is not None]
    due = _due(record.get("完成时限"), reasons) if _text(record.get("完成时限")) else None
    if due is None and not _text(record.get("完成时限")):
        reasons.append("完成时限为空")
    if due is not None and due < plan.start_date:
        reasons.append(f"完成时限早于计划开始日 {plan.start_date}")
    person = _person(_text(record.get("责任人")), lead, reasons)
    if lead is not None and content:
        key = (content[:200], lead.id)
        if key in seen:
            reasons.append(f"与第 {seen[key]} 行重复(相同的工作内容和牵头单位)")
        seen.setdefault(key, number)
    if reasons or lead is None or due is None:
        return outcome
    source, source_ref = _source(_text(record.get("来源")))
    note = _text(record.get("备注"))
    description = content + (f"\n备注:{note}" if note else "")
    return _Planned(outcome=outcome, title=content[:200], description=description, lead=lead,
                    cooperating=[unit for unit in dict.fromkeys(cooperating) if unit.id != lead.id], person=person, due=due, source=source, source_ref=source_ref,
                    existing=_existing(content[:200], lead))


def _differences(planned: _Planned) -> bool:
    item = planned.existing
    assert item is not None
    return (item.description != planned.description or item.due_date != planned.due
            or item.source != planned.source or item.source_ref != planned.source_ref
            or sorted(p.unit_id for p in item.cooperators) != sorted(u.id for u in planned.cooperating)
            or (planned.person is not None and item.responsible_user_id != planned.person.id))


def import_tasks(rows: Rows, *, actor: User, plan: Plan, commit: bool, now: datetime) -> IntakeReport:
    """Check every row (as `read_rows` read them); with `commit`, write every row's item in the caller's
    transaction, but only when no row is refused (then Invalid carries the report and nothing is written).
    Office only."""
    permissions.require_office(actor)
    units, seen = _Units(), dict[tuple[str, int], int]()
    planned: list[_Planned] = []
    outcomes: list[RowOutcome] = []
    for number, record in rows:
        found = _plan_row(number, record, units, plan, seen)
        if isinstance(found, RowOutcome):
            outcomes.append(found)
            continue
        found.outcome.action = ("created" if found.existing is None else
                                "updated" if _differences(found) else "unchanged")
        planned.append(found)
        outcomes.append(found.outcome)
    report = IntakeReport(committed=False, rows=outcomes)
    if not commit:
        return report
    _refuse_if_any(outcomes)
    for entry in planned:
        _write(entry, actor=actor, plan=plan, now=now)
    report.committed = True
    return report


def _refuse_if_any(outcomes: list[RowOutcome]) -> None:
    """A commit writes the whole file or nothing: one refused row refuses it, naming every such row."""
    refused = [row for row in outcomes if row.action == "refused"]
    if refused:
        rows = "、".join(str(row.row) for row in refused)
        raise Invalid(f"第 {rows} 行有问题,未写入任何数据", f"Rows {rows} have problems; nothing was written",
                      code="intake_refused", fields={f"row {row.row}": row.reasons for row in refused})


def _write(entry: _Planned, *, actor: User, plan: Plan, now: datetime) -> None:
    item = entry.existing
    if entry.outcome.action == "created":
        item = items.create_ad_hoc(actor=actor, plan=plan, source=entry.source, source_ref=entry.source_ref,
                                   title=entry.title, description=entry.description, due_date=entry.due,
                                   lead=entry.lead, cooperating=entry.cooperating, now=now)
    elif entry.outcome.action == "updated":
        assert item is not None
        items.edit_item(item, actor=actor, changes={"description": entry.description, "due_date": entry.due,
                                                    "source": entry.source, "source_ref": entry.source_ref},
                        reason="按任务分解表更新", expected_version=item.version, now=now)
        assignment.set_units(item, actor=actor, lead=entry.lead, cooperating=entry.cooperating,
                             expected_version=item.version, now=now)
    assert item is not None
    if entry.person is not None and item.responsible_user_id != entry.person.id:
        assignment.set_responsible(item, actor=actor, user_id=entry.person.id, phone=item.contact_phone,
                                   expected_version=item.version, now=now)
    entry.outcome.item_id = item.id


# --- the unit list -------------------------------------------------------------------------------------------

UNIT_COLUMNS = ("单位标识", "单位名称", "简称", "类型", "上级单位", "联系邮箱")
UNIT_REQUIRED = ("单位标识", "单位名称", "类型")
UNIT_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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
