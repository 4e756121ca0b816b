"""Formal notices (督办通知单, 通报): a document number in a yearly sequence per kind, and the printable PDF.

Numbers: every 督办 (a level that owes an answer) and 通报 (the ladder's last level) record gets one when it is
issued, in issue order, e.g. 督办〔2024〕12号 (TRACKER_NOTICE_NUMBER_FORMAT). The sequence row of (kind, year) is
locked while numbers are taken (SELECT ... FOR UPDATE on PostgreSQL; SQLite's transactions already queue), and
`doc_number` is unique, so two writers can never give one number twice; numbers are never reused, since records
are never deleted.

PDF: the Jinja template `templates/notices/notice.html` is the document (a city adapts the template, not the
code); WeasyPrint renders it on A4 with the Noto CJK fonts embedded. One notice, or every notice of a scan day in
one file.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ...config import ROOT
from ...errors import Invalid
from ...extensions import db
from ...models import AccountabilityRecord, DocSequence, Task, Unit, User, WorkItem
from ...models.accountability import LADDER_KIND, MANUAL_KIND
from ..io import printable
from ..plan import glossary, wording
from ..plan.event_words import SOURCE_LABELS
from ..trust import permissions
from ...idempotent import insert_or_ignore
from .ladder import Level
from ..work.deadlines import days_overdue, local_today

DEFAULT_FORMAT = "{kind}〔{year}〕{number}号"
_TEMPLATES = ROOT / "templates"
_env = Environment(loader=FileSystemLoader(_TEMPLATES), undefined=StrictUndefined,
                   autoescape=select_autoescape(default=True))


def numbered_levels(ladder: Sequence[Level]) -> dict[int, str]:
    """Level -> kind word for the levels that get numbered notices: those owing an answer, and the last."""
    return {lv.level: lv.name for lv in ladder if lv.answer_within_days or lv is ladder[-1]}


def assign_numbers(*, ladder: Sequence[Level], timezone: str, number_format: str = DEFAULT_FORMAT) -> int:
    """Number every 督办/通报 record that has no number yet, in issue order; returns how many were numbered."""
    levels = numbered_levels(ladder)
    table = AccountabilityRecord.__table__
    rows = db.session.execute(sa.select(table.c.id, table.c.level, table.c.issued_at).where(
        table.c.doc_number.is_(None), table.c.kind.in_([LADDER_KIND, MANUAL_KIND]),
        table.c.level.in_(list(levels))).order_by(table.c.issued_at, table.c.id)).all()
    zone = ZoneInfo(timezone)

    def key(row: Any) -> tuple[str, int]:
        return levels[row.level], row.issued_at.astimezone(zone).year

    updates = []
    for (kind, year), group in groupby(sorted(rows, key=key), key=key):
        ids = [row.id for row in group]
        first = _take(kind, year, len(ids))
        updates += [{"rid": rid, "number": number_format.format(kind=kind, year=year, number=first + n)}
                    for n, rid in enumerate(ids)]
    if updates:
        db.session.execute(sa.update(table).where(table.c.id == sa.bindparam("rid"))
                           .values(doc_number=sa.bindparam("number")), updates)
        for obj in list(db.session.identity_map.values()):
            if isinstance(obj, AccountabilityRecord) and obj.doc_number is None:
                db.session.expire(obj, ["doc_number"])
    return len(updates)


def take_number(kind: str, year: int) -> int:
    """The next number of (kind, year), for a document numbered on its own (the month's 通报)."""
    return _take(kind, year, 1)


def _take(kind: str, year: int, count: int) -> int:
    """Reserve `count` numbers of (kind, year) under the sequence row's lock; returns the first."""
    insert_or_ignore(DocSequence.__table__, [{"kind": kind, "year": year, "last_number": 0}], key=("kind", "year"))
    row = db.session.execute(sa.select(DocSequence).where(DocSequence.kind == kind, DocSequence.year == year)
                             .with_for_update()).scalar_one()
    first = row.last_number + 1
    row.last_number += count
    db.session.flush()
    return first


# --- the printable notice -----------------------------------------------------------------------------------

def notice_rows(records: Sequence[AccountabilityRecord], *, timezone: str) -> list[dict[str, Any]]:
    """What each notice shows, read in one query. Every kind of item gets one: a plan item (or a unit's part of
    one split below it) names its task; a 交办件 or 批示件, which has no task, names where it came from."""
    if not records:
        return []
    found = {r.id: r for r in records}
    rows = db.session.execute(
        sa.select(AccountabilityRecord.id, WorkItem, Unit.name, Task.number, Task.title)
        .join(WorkItem, WorkItem.id == AccountabilityRecord.item_id).join(Unit, Unit.id == AccountabilityRecord.unit_id)
        .outerjoin(Task, Task.id == WorkItem.task_id).where(AccountabilityRecord.id.in_(list(found)))).all()
    by_id = {rid: (item, unit, number, title) for rid, item, unit, number, title in rows}
    office_name = glossary.authorities().office_full  # the letterhead: a formal document names the office in full
    result = []
    for record in records:
        item, unit, number, title = by_id[record.id]
        issued = local_today(record.issued_at, timezone)
        result.append({
            "number": record.doc_number or "", "level": record.level_name, "unit": unit, "office": office_name,
            "item": wording.title(item), "task": _belongs_to(item, number, title),
            "original_due": item.original_due_date or record.due_date, "due": record.due_date,
            "current_due": item.due_date, "days_overdue": days_overdue(record.due_date, issued),
            "reason": record.reason, "answer_due": record.answer_due, "issued": issued,
            "owes_answer": record.owes_answer,
        })
    return result


def _belongs_to(item: WorkItem, number: int | None, title: str | None) -> str:
    """The notice's 所属任务 line: the plan's task, or for work outside the plan its source in words."""
    if number is not None:
        return f"{number}. {title}"
    words = f"交办事项({SOURCE_LABELS[item.source][0]})" if item.source else "交办事项"
    return f"{words}:{item.source_ref}" if item.source_ref else words


def render_pdf(rows: Sequence[dict[str, Any]]) -> bytes:
    """The notices as one A4 PDF, one notice (with its 回执) per page."""
    return pdf_of("notices/notice.html", notices=rows)


def pdf_of(template: str, **context: Any) -> bytes:
    """A Jinja template of templates/ rendered to PDF by WeasyPrint (A4 and fonts as its styles say)."""
    from weasyprint import HTML  # imported when used: it loads Pango, which the rest of the app never needs

    return HTML(string=render_template(template, **printable.cleaned(context)),
                base_url=str(_TEMPLATES / Path(template).parent)).write_pdf()


def render_template(template: str, **context: Any) -> str:
    """A document template of templates/ as HTML (autoescaped; undefined names fail loudly)."""
    return _env.get_template(template).render(**context)


NOTICES_PER_PART = 100  # a part of a day's batch: 100 pages, about 5 s and 300 MB at most in a worker (bench/)


@dataclass(frozen=True)
class DayBatch:
    """One part of a day's notices: at most NOTICES_PER_PART, so no request renders an unbounded document."""

    day: date
    part: int
    parts: int
    total: int
    records: list[AccountabilityRecord]

    def names(self) -> tuple[str, str]:
        """督办通知-2024-06-30-第1册(共9册).pdf, and an ASCII name for old clients."""
        return (_file_name(f"督办通知-{self.day}-第{self.part}册(共{self.parts}册)"),
                f"notices-{self.day}-{self.part}-of-{self.parts}.pdf")


def _of_day(day: date, timezone: str) -> sa.ColumnElement[bool]:
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, datetime.min.time(), zone)
    end = datetime.combine(day.fromordinal(day.toordinal() + 1), datetime.min.time(), zone)
    return sa.and_(AccountabilityRecord.doc_number.is_not(None), AccountabilityRecord.issued_at >= start,
                   AccountabilityRecord.issued_at < end)


def notices_of_day(day: date, *, actor: User, timezone: str, part: int = 1) -> DayBatch:
    """Part `part` (from 1) of the numbered notices issued on that day (plan time zone), in number order: the
    office's batch print. Invalid when the day has none or the part does not exist."""
    permissions.require_office(actor)
    total = db.session.execute(sa.select(sa.func.count()).select_from(AccountabilityRecord)
                               .where(_of_day(day, timezone))).scalar_one()
    if not total:
        raise Invalid(f"{day} 没有发出督办或通报", f"No notice was issued on {day}", code="no_notices",
                      fields={"day": ["当日无督办通知"]})
    parts = -(-total // NOTICES_PER_PART)
    if not 1 <= part <= parts:
        raise Invalid(f"{day} 共 {total} 份通知,分 {parts} 册;没有第 {part} 册",
                      f"{day} has {total} notices in {parts} parts; there is no part {part}",
                      code="no_such_part", fields={"part": [f"须在 1 至 {parts} 之间"]})
    found = list(db.session.scalars(sa.select(AccountabilityRecord).where(_of_day(day, timezone))
                                    .order_by(AccountabilityRecord.level, AccountabilityRecord.id)
                                    .offset((part - 1) * NOTICES_PER_PART).limit(NOTICES_PER_PART)))
    return DayBatch(day, part, parts, total, found)


def _file_name(what: str) -> str:
    return "".join("_" if c in '/\\:*?"<>|' else c for c in what) + ".pdf"


def notice_names(record: AccountabilityRecord) -> tuple[str, str]:
    """The notice file's name as people keep it (督办通知-督办〔2024〕12号.pdf), and an ASCII one for old clients."""
    return _file_name(f"督办通知-{record.doc_number}"), f"notice-{record.id}.pdf"


def require_notice(record: AccountabilityRecord) -> AccountabilityRecord:
    if record.doc_number is None:
        raise Invalid("该记录不是编号的督办或通报通知", "This record has no numbered notice", code="no_notice")
    return record
