"""The accountability ledger (督办台账) as a table: records with their item and unit, for the page and for
Excel. The rows come from records.records_query (the records service decides visibility and filters); this
module adds the names beside them; services/io/exports.py writes the same cells to XLSX or CSV (text stays text,
dates are dates). `items_table` is the items 台账 beside it: the board's cards with their last progress.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ...extensions import db
from ...models import (
    AccountabilityRecord,
    ContestStatus,
    ItemContest,
    ItemStatus,
    ProgressUpdate,
    Task,
    Unit,
    User,
    WorkItem,
)
from ..work.boards import ItemFilters, list_items
from ..work.deadlines import Deadlines
from ..work.deadlines import days_overdue
from .records import RecordFilters, records_query
from ..plan import wording
from ..trust import permissions

EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class LedgerRow:
    record: AccountabilityRecord
    item_title: str
    unit_name: str
    task_number: int = 0
    item_status: str = ""
    item_due: date | None = None
    responsible: str | None = None  # the item's person responsible (责任人)


def ledger(filters: RecordFilters, *, actor: User, limit: int, offset: int = 0) -> tuple[list[LedgerRow], int]:
    """One page of the ledger, newest first, and the number of records matching: two queries."""
    query = records_query(actor=actor, filters=filters)
    total = db.session.execute(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    rows = db.session.execute(
        query.add_columns(wording.title_column(), Unit.short_name, Task.number, WorkItem.status, WorkItem.due_date,
                          User.display_name)
        .join(WorkItem, WorkItem.id == AccountabilityRecord.item_id).outerjoin(Task, Task.id == WorkItem.task_id)
        .join(Unit, Unit.id == AccountabilityRecord.unit_id)
        .outerjoin(User, User.id == WorkItem.responsible_user_id).limit(limit).offset(offset)).all()
    return [LedgerRow(record=r, item_title=title, unit_name=unit, task_number=number, item_status=status,
                      item_due=due, responsible=person) for r, title, unit, number, status, due, person in rows], total


@dataclass(frozen=True)
class ContestRow:
    contest: ItemContest
    item_title: str
    unit_name: str  # the contesting unit
    proposed_name: str | None  # the unit it named instead
    new_unit_name: str | None  # the unit the office gave the item, upheld


def contests(*, actor: User, limit: int) -> list[ContestRow]:
    """退办 / 异议 beside the records: the contests of the items the actor may see, newest first."""
    proposed, given = sa.orm.aliased(Unit), sa.orm.aliased(Unit)
    rows = db.session.execute(
        sa.select(ItemContest, wording.title_column(), Unit.short_name, proposed.short_name, given.short_name)
        .join(WorkItem, WorkItem.id == ItemContest.item_id).join(Unit, Unit.id == ItemContest.unit_id)
        .outerjoin(proposed, proposed.id == ItemContest.proposed_unit_id)
        .outerjoin(given, given.id == ItemContest.new_unit_id)
        .where(permissions.visible_items_clause(actor)).order_by(ItemContest.id.desc()).limit(limit)).all()
    return [ContestRow(c, title, unit, named, new) for c, title, unit, named, new in rows]


def table(rows: Sequence[LedgerRow], *, timezone: str, today: date,
          record_status: Callable[[AccountabilityRecord], str], item_status_labels: dict[str, str]) -> list[list[Any]]:
    """The rows as cells, in the column order of `HEADER`: a running number (no database id), dates as dates,
    times in the plan's time zone, the item's days overdue as of `today` (0 once done), each record's state in
    the words the page shows (`record_status`)."""
    zone = ZoneInfo(timezone)

    def local(value: datetime | None) -> datetime | None:
        return value.astimezone(zone).replace(tzinfo=None) if value else None

    return [[number, row.task_number, row.unit_name, row.item_title, item_status_labels.get(row.item_status, ""),
             row.record.level_name, row.record.reason, row.item_due,
             0 if row.item_status == ItemStatus.DONE else days_overdue(row.item_due, today),
             local(row.record.issued_at), row.record.answer_due,
             record_status(row.record), row.record.answer_text or "",
             row.record.remedy_date, row.record.close_note or "", row.responsible or ""]
            for number, row in enumerate(rows, start=1)]


def items_table(filters: ItemFilters, *, actor: User, deadlines: Deadlines, timezone: str,
                status_labels: dict[str, str], contest_labels: dict[str, str]) -> list[list[Any]]:
    """The items 台账: each visible item matching the filters with its unit, task, person responsible, due date,
    status, days overdue, its last progress (text, date, who reported) and its latest contest (退办 / 异议, in
    `contest_labels`' words with its reason or decision): the board's query plus one each for the last two."""
    cards: list[dict[str, Any]] = []
    after: int | None = None
    while len(cards) < EXPORT_LIMIT:
        found, after = list_items(filters, actor=actor, deadlines=deadlines, after_id=after, limit=5_000)
        cards.extend(found)
        if after is None:
            break
    latest, contested = _latest_progress(ZoneInfo(timezone)), _latest_contest(contest_labels)
    return [[number, c["task_number"], c["unit_name"], c["title"], c.get("responsible_name") or "",
             status_labels.get(c["status"], c["status"]),
             date.fromisoformat(c["due_date"]) if c["due_date"] else None, c["days_overdue"],
             *latest.get(c["id"], ("", None, "")), contested.get(c["id"], "")]
            for number, c in enumerate(cards, start=1)]


def _latest_contest(labels: dict[str, str]) -> dict[int, str]:
    """Every contested item's latest contest in words: its state, and the reason (waiting) or the decision."""
    last = sa.select(sa.func.max(ItemContest.id)).group_by(ItemContest.item_id).scalar_subquery()
    rows = db.session.execute(sa.select(ItemContest.item_id, ItemContest.status, ItemContest.reason,
                                        ItemContest.decision_note).where(ItemContest.id.in_(last)))
    return {item_id: f"{labels.get(status, status)}:{reason if status == ContestStatus.PENDING else note}"
            for item_id, status, reason, note in rows}


def _latest_progress(zone: ZoneInfo) -> dict[int, tuple[str, date, str]]:
    """Every item's newest progress entry (text, local day, who reported it): one grouped query, no list of ids
    (an export of 100,000 items would exceed the database's parameter limit)."""
    last = sa.select(sa.func.max(ProgressUpdate.id)).group_by(ProgressUpdate.item_id).scalar_subquery()
    rows = db.session.execute(sa.select(ProgressUpdate.item_id, ProgressUpdate.text, ProgressUpdate.at,
                                        User.display_name).join(User, User.id == ProgressUpdate.author_id)
                              .where(ProgressUpdate.id.in_(last)))
    return {item_id: (text, at.astimezone(zone).date(), name) for item_id, text, at, name in rows}
