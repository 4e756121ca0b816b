"""What the ledger and the daily scan tell units at once: records issued, and reminders before a due date.

Texts are written here, once, for every path that issues a record (the scan, a manual escalation). The scan's
notifications share one mail batch per day ("scan:2024-06-30"), so each unit gets one message per scan.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from ...extensions import db
from ...models import AccountabilityRecord, ItemStatus, ItemUnit, Plan, WorkItem
from ...models.accountability import UNANSWERED_KIND
from . import notifications
from ..plan import wording
from .notifications import Entry

ACTIVE = (ItemStatus.ASSIGNED, ItemStatus.IN_PROGRESS)


def issued_text(level_name: str, reason: str, answer_due: date | None, title: str) -> str:
    """The level, the item, why; for 督办 the answer's deadline."""
    text = f"{level_name}:《{title}》{reason}"
    return text + (f"(答复期限 {answer_due})" if answer_due else "")


def copied_to(item_ids: set[int]) -> dict[int, list[int]]:
    """Who gets a copy (抄送) of an item's records besides the lead unit: cooperating units whose part is not
    done, and the unit that split the item off its own (it supervises the child as the office does)."""
    found: dict[int, list[int]] = {}
    if not item_ids:
        return found
    parent = sa.orm.aliased(WorkItem)
    rows = db.session.execute(
        sa.select(ItemUnit.item_id, ItemUnit.unit_id).where(ItemUnit.item_id.in_(item_ids),
                                                            ItemUnit.part_done_at.is_(None))
        .union_all(sa.select(WorkItem.id, parent.unit_id).join(parent, parent.id == WorkItem.parent_id)
                   .where(WorkItem.id.in_(item_ids)))).all()
    for item_id, unit_id in rows:
        found.setdefault(item_id, []).append(unit_id)
    return found


def scan_batch(today: date) -> str:
    return f"scan:{today.isoformat()}"


def after_scan(*, now: datetime, today: date, reminder_days: Sequence[int]) -> int:
    """Notify the records the scan issued at `now` and the items due in `reminder_days` days; idempotent.

    A record's notification goes to its unit; a 督办 left unanswered (kind 'unanswered') to the office too.
    Returns how many entries were written (before duplicates were ignored).
    """
    records, items = AccountabilityRecord.__table__, WorkItem.__table__
    issued = db.session.execute(
        sa.select(records.c.id, records.c.unit_id, records.c.item_id, records.c.kind, records.c.level_name,
                  records.c.reason, records.c.answer_due, wording.title_column(items), Plan.office_unit_id)
        .join(items, items.c.id == records.c.item_id).join(Plan, Plan.id == items.c.plan_id)
        .where(records.c.issued_at == now, records.c.issued_by_id.is_(None)).order_by(records.c.id)).all()
    entries = []
    copies = copied_to({row.item_id for row in issued})
    for rid, unit_id, item_id, kind, name, reason, answer_due, title, office_id in issued:
        text = issued_text(name, reason, answer_due, title)
        targets = [unit_id] + ([office_id] if kind == UNANSWERED_KIND and office_id else [])
        entries += [Entry(notifications.RECORD_ISSUED, text, unit_id=target, item_id=item_id, record_id=rid,
                          dedupe_key=f"record:{rid}:u{target}") for target in targets]
        entries += [Entry(notifications.RECORD_ISSUED, f"抄送 {text}", unit_id=target, item_id=item_id,
                          record_id=rid, dedupe_key=f"record:{rid}:u{target}")
                    for target in copies.get(item_id, []) if target not in targets]
    dues = [today + timedelta(days=d) for d in reminder_days]
    for item_id, unit_id, title, due in db.session.execute(
            sa.select(items.c.id, items.c.unit_id, wording.title_column(items), items.c.due_date)
            .where(items.c.due_date.in_(dues), items.c.status.in_([s.value for s in ACTIVE]))
            .order_by(items.c.id)).all():
        days = (due - today).days
        entries.append(Entry(notifications.DUE_SOON, f"《{title}》将于 {due} 到期(还有 {days} 天)", unit_id=unit_id,
                             item_id=item_id, dedupe_key=f"due:{item_id}:{due}:{days}"))
    notifications.write(entries, now=now, batch_key=scan_batch(today))
    return len(entries)
