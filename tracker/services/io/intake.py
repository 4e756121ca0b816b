"""Excel intake of a 任务分解表 (the unit list is unit_intake.py): one ad-hoc item per row, checked row by row,
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

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

import sqlalchemy as sa

from ...extensions import db
from ...models import ItemSource, Plan, Unit, User, WorkItem
from . import intake_rows
from .intake_rows import SEPARATORS, IntakeReport, RowOutcome, Rows, _refuse_if_any, _text, workbook
from ..plan.event_words import SOURCE_LABELS
from ..trust import permissions
from ..work import assignment, items

COLUMNS = ("序号", "工作内容", "牵头单位", "配合单位", "责任人", "完成时限", "来源", "备注")
REQUIRED = ("工作内容", "牵头单位", "完成时限")
CN_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
SOURCES = {label: source for source, (label, _en) in SOURCE_LABELS.items()}


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


# The templates' download names: Chinese, and ASCII for clients that cannot read RFC 5987 (exports.content_disposition).
TEMPLATE_NAMES = {"tasks": ("任务分解表模板.xlsx", "tasks-template.xlsx"), "units": ("单位名单模板.xlsx", "units-template.xlsx")}


def template() -> bytes:
    """An empty 任务分解表 with the header row and one example row, for the office to fill in."""
    return workbook("任务分解表", COLUMNS, [[1, "开展行政执法案卷评查", "市司法局", "市公安局、市市场监管局", "", "2024-06-30",
                                         "会议议定:市政府第12次常务会议", "示例行,导入前请删除"]])


def read_rows(stream: IO[bytes], *, columns: tuple[str, ...] = COLUMNS,
              required: tuple[str, ...] = REQUIRED) -> Rows:
    """The 任务分解表's rows (see intake_rows.read_rows): file only, before the door's transaction begins."""
    return intake_rows.read_rows(stream, columns=columns, required=required)


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
