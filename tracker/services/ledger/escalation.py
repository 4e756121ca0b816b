"""The escalation ladder: which levels an overdue item has reached, and the daily scan that puts them on record.

The ladder is configuration (TRACKER_LADDER): levels with the days overdue at which each is reached, and for
levels that owe a written answer (督办) the days the unit has to give it. The pure functions here decide levels
on plain values; `scan` loads, decides and writes.

Records are keyed by (item, kind, level, due date) and written with insert-or-ignore, so a scan run twice, two
scans at once or a rerun after a crash leave exactly one record per item per level per due date. An extension
changes the due date, which starts a new cycle of records; the old ones stay. The ladder pauses while an item
waits for the office's review (submitted): the office, not the unit, owes the next step then. Levels are
computed from days overdue, not counted from notices, so a paused or missed day loses no level.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import AccountabilityRecord, ItemStatus, RecordStatus, WorkItem
from ...models.accountability import LADDER_KIND, MANUAL_KIND, UNANSWERED_KIND
from ...models.types import UTCDateTime
from ..assessment import reporting_duty
from . import alerts, notices
from .ladder import Level, ladder_reason, unanswered_reason
from ..trust import audit
from ...idempotent import insert_or_ignore, insert_select_or_ignore, refresh_statistics, serialise
from ..work.deadlines import days_overdue, days_overdue_clause, local_today

SCANNER = "scheduler"
RECORD_KEY = ("item_id", "kind", "level", "due_date")
ACTIVE_STATUSES = (ItemStatus.ASSIGNED, ItemStatus.IN_PROGRESS)
_SCAN_LOCK = 0x7363616E  # "scan"
REANALYSE_AFTER = 1000  # rows one level's insert may add before the planner is told the table grew


@dataclass
class ScanResult:
    as_of: date
    newly_overdue: int = 0
    records: Counter[str] = field(default_factory=Counter)

    @property
    def written(self) -> int:
        return self.newly_overdue + sum(self.records.values())

    def summary(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat(), "newly_overdue": self.newly_overdue,
                "records": dict(sorted(self.records.items()))}


def scan(*, now: datetime, ladder: Sequence[Level], timezone: str, reminder_days: Sequence[int] = (),
         number_format: str = notices.DEFAULT_FORMAT) -> ScanResult:
    """Store overdue state and write the ladder's records as of `now`; idempotent, safe to run concurrently.

    Writes, in the caller's transaction: overdue_since on items found overdue for the first time; one ladder
    record per level each active overdue item has reached for its current due date; one 'unanswered' record per
    notice whose answer is late. One audit event summarises what the scan wrote (none when it wrote nothing):
    the records themselves are the append-only ledger, and a first scan can write tens of thousands at once.
    督办 and 通报 records get their document numbers (notices.assign_numbers); units are notified of the records
    issued, and of items due in `reminder_days` days (alerts.after_scan). Items whose unit missed a periodic
    report are flagged too (reporting_duty.flag_missed), each with its own audit event.
    """
    serialise(_SCAN_LOCK)
    today = local_today(now, timezone)
    result = ScanResult(as_of=today)
    result.newly_overdue = _mark_overdue(today)
    _write_ladder_records(today, now, ladder, result)
    _write_unanswered_records(today, now, result)
    missed = reporting_duty.flag_missed(now=now, today=today, timezone=timezone)
    if missed:
        result.records["missed_report"] += missed
    notices.assign_numbers(ladder=ladder, timezone=timezone, number_format=number_format)
    alerts.after_scan(now=now, today=today, reminder_days=reminder_days)
    if result.written:
        audit.record(actor=None, actor_label=SCANNER, action="ladder.scan", entity_type="accountability_record",
                     entity_id=None, after=result.summary(), now=now)
    return result


def _mark_overdue(today: date) -> int:
    table = WorkItem.__table__
    newly = sa.and_(table.c.status != ItemStatus.DONE.value, table.c.due_date < today,
                    table.c.overdue_since.is_(None), table.c.cancelled_at.is_(None))
    dues = db.session.execute(sa.select(table.c.due_date, sa.func.count()).where(newly)
                              .group_by(table.c.due_date)).all()
    if not dues:
        return 0
    # A Core update, one statement per due date: overdue state is derived, not content a person edits, so it
    # must not bump `version` and turn a unit's concurrent edit into a stale-version refusal.
    db.session.execute(
        sa.update(table).where(newly, table.c.due_date == sa.bindparam("due"))
        .values(overdue_since=sa.bindparam("since")),
        [{"due": due, "since": due + timedelta(days=1)} for due, _ in dues],
    )
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, WorkItem):
            db.session.expire(obj, ["overdue_since"])
    return sum(count for _, count in dues)


def _write_ladder_records(today: date, now: datetime, ladder: Sequence[Level], result: ScanResult) -> None:
    """One INSERT ... SELECT per level: every active item that has reached it and has no record of it yet.

    The same rule as levels_reached(), as SQL: a first scan on 100,000 items writes tens of thousands of rows,
    which the database does far faster than a round trip per row.
    """
    items, records = WorkItem.__table__, AccountabilityRecord.__table__
    overdue = days_overdue_clause(today, items.c.due_date)
    for level in ladder:
        answer_due = today + timedelta(days=level.answer_within_days) if level.answer_within_days else None
        suffix = ladder_reason(level, 0, answer_due).removeprefix("逾期 0 天")
        recorded = _recorded_clause(records, items, level.level)
        select = sa.select(
            items.c.id, items.c.unit_id, sa.literal(LADDER_KIND), sa.literal(level.level),
            sa.literal(level.name), items.c.due_date,
            sa.literal("逾期 ") + sa.cast(overdue, sa.Text) + sa.literal(" 天" + suffix),
            sa.literal(now, UTCDateTime()), sa.literal(answer_due, sa.Date()),
            sa.literal(RecordStatus.OPEN.value),
        ).where(items.c.status.in_([s.value for s in ACTIVE_STATUSES]), items.c.cancelled_at.is_(None),
                items.c.due_date <= today - timedelta(days=level.days_overdue), ~recorded)
        added = insert_select_or_ignore(
            records, ["item_id", "unit_id", "kind", "level", "level_name", "due_date", "reason", "issued_at",
                      "answer_due", "status"], select, key=RECORD_KEY)
        if added:
            result.records[f"level_{level.level}"] += added
        if added > REANALYSE_AFTER:
            refresh_statistics(records)


def _recorded_clause(records: sa.Table, items: sa.Table, level: int) -> sa.ColumnElement[bool]:
    """EXISTS a ladder record of this level for the item's current due date.

    PostgreSQL reads the existing records once, before the insert starts (a MATERIALIZED CTE): probing the
    table being filled would rescan its growing heap for every row. SQLite probes the unique index (and
    pysqlite reports no row count for a statement that starts with WITH).
    """
    source: sa.FromClause = records
    if db.session.get_bind().dialect.name == "postgresql":
        source = sa.select(records.c.item_id, records.c.kind, records.c.level, records.c.due_date).where(
            records.c.kind == LADDER_KIND, records.c.level == level
        ).cte(f"recorded_{level}").prefix_with("MATERIALIZED")
    return sa.exists().where(source.c.item_id == items.c.id, source.c.kind == LADDER_KIND,
                             source.c.level == level, source.c.due_date == items.c.due_date)


def _write_unanswered_records(today: date, now: datetime, result: ScanResult) -> None:
    records = AccountabilityRecord.__table__
    late = db.session.execute(
        sa.select(records.c.item_id, records.c.unit_id, records.c.level, records.c.level_name,
                  records.c.due_date, records.c.answer_due)
        .where(records.c.kind.in_([LADDER_KIND, MANUAL_KIND]), records.c.answer_due < today,
               records.c.answered_at.is_(None), records.c.status == RecordStatus.OPEN.value)
    ).all()
    if not late:
        return
    # Two plain reads and a set difference rather than a NOT EXISTS: PostgreSQL plans the correlated form as a
    # nested loop over a table it has not analysed yet, which grows quadratically during a long catch-up.
    noted = {(item_id, level, due) for item_id, level, due in db.session.execute(
        sa.select(records.c.item_id, records.c.level, records.c.due_date).where(
            records.c.kind == UNANSWERED_KIND))}
    rows = [{
        "item_id": item_id, "unit_id": unit_id, "kind": UNANSWERED_KIND, "level": level,
        "level_name": f"{name}未答复"[:32], "due_date": due, "issued_at": now, "issued_by_id": None,
        "answer_due": None, "reason": unanswered_reason(name, answer_due), "status": RecordStatus.OPEN.value,
    } for item_id, unit_id, level, name, due, answer_due in late if (item_id, level, due) not in noted]
    rows = list({(r["item_id"], r["level"], r["due_date"]): r for r in rows}.values())
    result.records["unanswered"] += len(rows)
    insert_or_ignore(AccountabilityRecord.__table__, rows, key=RECORD_KEY)


def record_close(item: WorkItem, *, timezone: str) -> None:
    """Store how an item closed: days overdue at close and whether late, judged at the unit's submission.

    Called by the workflow when the office approves. The unit is judged by when it submitted the work that was
    approved, not by how long the office took to review it.
    """
    finished = item.submitted_at or item.completed_at
    if item.due_date is None or finished is None:
        item.days_overdue_at_close, item.closed_late = 0, False
        return
    late_by = days_overdue(item.due_date, local_today(finished, timezone))
    item.days_overdue_at_close = late_by
    item.closed_late = late_by > 0
    if late_by and item.overdue_since is None:
        item.overdue_since = item.due_date + timedelta(days=1)


def on_due_date_changed(item: WorkItem, *, now: datetime, timezone: str) -> None:
    """Start a new cycle after the due date changed (an approved extension): the caller has set `due_date`.

    Overdue state follows the new date; records already written keep their old due date and stay as they are,
    and the next scan writes the new cycle's records only once the item is overdue again.
    """
    today = local_today(now, timezone)
    if item.due_date is not None and item.due_date < today:
        item.overdue_since = item.due_date + timedelta(days=1)
    else:
        item.overdue_since = None
