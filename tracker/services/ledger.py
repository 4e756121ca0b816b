"""The accountability ledger (督办台账) as a table: records with their item and unit, for the page and for
Excel. The rows come from records.records_query (the records service decides visibility and filters); this
module adds the names beside them; services/exports.py writes the same cells to XLSX or CSV as plain text.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..extensions import db
from ..models import AccountabilityRecord, Unit, User, WorkItem
from .records import RecordFilters, records_query

EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class LedgerRow:
    record: AccountabilityRecord
    item_title: str
    unit_name: str
    responsible: str | None = None  # the item's person responsible (责任人)


def ledger(filters: RecordFilters, *, actor: User, limit: int, offset: int = 0) -> tuple[list[LedgerRow], int]:
    """One page of the ledger, newest first, and the number of records matching: two queries."""
    query = records_query(actor=actor, filters=filters)
    total = db.session.execute(sa.select(sa.func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    rows = db.session.execute(
        query.add_columns(WorkItem.title, Unit.short_name, User.display_name)
        .join(WorkItem, WorkItem.id == AccountabilityRecord.item_id)
        .join(Unit, Unit.id == AccountabilityRecord.unit_id)
        .outerjoin(User, User.id == WorkItem.responsible_user_id).limit(limit).offset(offset)).all()
    return [LedgerRow(record=r, item_title=title, unit_name=unit, responsible=person)
            for r, title, unit, person in rows], total


def table(rows: Sequence[LedgerRow], *, timezone: str, status_labels: dict[str, str]) -> list[list[Any]]:
    """The rows as cells, in the column order of the export's header; times in the plan's time zone."""
    zone = ZoneInfo(timezone)

    def local(value: datetime | None) -> str:
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""

    def day(value: date | None) -> str:
        return value.isoformat() if value else ""

    return [[row.record.id, row.unit_name, row.item_title, row.record.level_name, row.record.reason,
             day(row.record.due_date), local(row.record.issued_at), day(row.record.answer_due),
             status_labels.get(row.record.status, row.record.status), row.record.answer_text or "",
             day(row.record.remedy_date), row.record.close_note or "", row.responsible or ""] for row in rows]
