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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ..errors import Invalid
from ..extensions import db
from ..models import AccountabilityRecord, ItemStatus, RecordStatus, WorkItem
from . import audit
from .bulk import insert_or_ignore, serialise
from .deadlines import days_overdue, local_today

SCANNER = "scheduler"
LADDER_KIND = "ladder"
UNANSWERED_KIND = "unanswered"
MANUAL_KIND = "manual"
RECORD_KEY = ("item_id", "kind", "level", "due_date")
ACTIVE_STATUSES = (ItemStatus.ASSIGNED, ItemStatus.IN_PROGRESS)
_SCAN_LOCK = 0x7363616E  # "scan"
_PHRASES = {"remind": "已发提醒", "urge": "已发催办通知", "supervise": "已发督办通知", "bulletin": "予以通报"}


@dataclass(frozen=True)
class Level:
    level: int
    key: str
    name: str
    days_overdue: int
    answer_within_days: int | None = None

    @property
    def phrase(self) -> str:
        return _PHRASES.get(self.key, f"已发{self.name}通知")


def parse_ladder(raw: Sequence[Mapping[str, Any]]) -> tuple[Level, ...]:
    """Validate a configured ladder: levels numbered 1..n, days strictly rising. Raises Invalid."""
    try:
        levels = tuple(Level(level=int(e["level"]), key=str(e["key"]), name=str(e["name"]),
                             days_overdue=int(e["days_overdue"]),
                             answer_within_days=int(e["answer_within_days"]) if e.get("answer_within_days")
                             else None) for e in raw)
    except (KeyError, TypeError, ValueError) as exc:
        raise Invalid(f"督办阶梯配置有误:{exc}", f"TRACKER_LADDER is malformed: {exc}") from None
    if not levels:
        raise Invalid("督办阶梯至少要有一级", "TRACKER_LADDER needs at least one level")
    if [lv.level for lv in levels] != list(range(1, len(levels) + 1)):
        raise Invalid("督办阶梯的 level 须为 1、2、3……", "Ladder levels must be numbered 1, 2, 3, ...")
    days = [lv.days_overdue for lv in levels]
    if days[0] < 1 or any(b <= a for a, b in zip(days, days[1:], strict=False)):
        raise Invalid("督办阶梯的逾期天数须从 1 起严格递增", "Ladder days must start at 1 or more and rise")
    return levels


def levels_reached(overdue_days: int, ladder: Sequence[Level]) -> tuple[Level, ...]:
    """Every level whose threshold an item this many days overdue has met, lowest first."""
    return tuple(lv for lv in ladder if overdue_days >= lv.days_overdue)


def current_level(overdue_days: int, ladder: Sequence[Level]) -> Level | None:
    reached = levels_reached(overdue_days, ladder)
    return reached[-1] if reached else None


def ladder_reason(level: Level, overdue_days: int, answer_due: date | None) -> str:
    """The reason in words, e.g. "逾期 16 天,已发督办通知,须于 2024-01-21 前书面说明原因并报送整改时限"."""
    text = f"逾期 {overdue_days} 天,{level.phrase}"
    if answer_due is not None:
        text += f",须于 {answer_due.isoformat()} 前书面说明原因并报送整改时限"
    return text


def unanswered_reason(level_name: str, answer_due: date) -> str:
    return f"{level_name}通知应于 {answer_due.isoformat()} 前答复,逾期未答复"


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


def scan(*, now: datetime, ladder: Sequence[Level], timezone: str) -> ScanResult:
    """Store overdue state and write the ladder's records as of `now`; idempotent, safe to run concurrently.

    Writes, in the caller's transaction: overdue_since on items found overdue for the first time; one ladder
    record per level each active overdue item has reached for its current due date; one 'unanswered' record per
    notice whose answer is late. One audit event summarises what the scan wrote (none when it wrote nothing):
    the records themselves are the append-only ledger, and a first scan can write tens of thousands at once.
    """
    serialise(_SCAN_LOCK)
    today = local_today(now, timezone)
    result = ScanResult(as_of=today)
    result.newly_overdue = _mark_overdue(today)
    _write_ladder_records(today, now, ladder, result)
    _write_unanswered_records(today, now, ladder, result)
    if result.written:
        audit.record(actor=None, actor_label=SCANNER, action="ladder.scan", entity_type="accountability_record",
                     entity_id=None, after=result.summary(), now=now)
    return result


def _mark_overdue(today: date) -> int:
    table = WorkItem.__table__
    found = db.session.execute(
        sa.select(table.c.id, table.c.due_date).where(
            table.c.status != ItemStatus.DONE.value, table.c.due_date < today, table.c.overdue_since.is_(None))
    ).all()
    if not found:
        return 0
    # A Core update: overdue state is derived, not content a person edits, so it must not bump `version` and
    # turn a unit's concurrent edit into a stale-version refusal.
    db.session.execute(
        sa.update(table).where(table.c.id == sa.bindparam("item_id"))
        .values(overdue_since=sa.bindparam("since")),
        [{"item_id": item_id, "since": due + timedelta(days=1)} for item_id, due in found],
    )
    _expire({item_id for item_id, _ in found}, ["overdue_since"])
    return len(found)


def _write_ladder_records(today: date, now: datetime, ladder: Sequence[Level], result: ScanResult) -> None:
    items, records = WorkItem.__table__, AccountabilityRecord.__table__
    first_threshold = today - timedelta(days=ladder[0].days_overdue)
    existing = sa.func.count(records.c.id)
    candidates = db.session.execute(
        sa.select(items.c.id, items.c.unit_id, items.c.due_date, existing)
        .select_from(items.outerjoin(records, sa.and_(
            records.c.item_id == items.c.id, records.c.kind == LADDER_KIND,
            records.c.due_date == items.c.due_date)))
        .where(items.c.status.in_([s.value for s in ACTIVE_STATUSES]), items.c.due_date <= first_threshold)
        .group_by(items.c.id, items.c.unit_id, items.c.due_date)
    ).all()
    climbing = [c for c in candidates if 0 < c[3] < len(levels_reached(days_overdue(c[2], today), ladder))]
    have_levels = _existing_levels([c[0] for c in climbing])
    rows = []
    for item_id, unit_id, due, have in candidates:
        overdue = days_overdue(due, today)
        reached = levels_reached(overdue, ladder)
        if have >= len(reached):
            continue
        for level in reached:
            if (item_id, due, level.level) in have_levels:
                continue
            answer_due = today + timedelta(days=level.answer_within_days) if level.answer_within_days else None
            rows.append({
                "item_id": item_id, "unit_id": unit_id, "kind": LADDER_KIND, "level": level.level,
                "level_name": level.name, "due_date": due, "issued_at": now, "issued_by_id": None,
                "answer_due": answer_due, "reason": ladder_reason(level, overdue, answer_due),
                "status": RecordStatus.OPEN.value,
            })
            result.records[f"level_{level.level}"] += 1
    insert_or_ignore(AccountabilityRecord.__table__, rows, key=RECORD_KEY)


def _existing_levels(item_ids: list[int]) -> set[tuple[int, date, int]]:
    records = AccountabilityRecord.__table__
    found: set[tuple[int, date, int]] = set()
    for start in range(0, len(item_ids), 1000):
        found.update((item_id, due, level) for item_id, due, level in db.session.execute(
            sa.select(records.c.item_id, records.c.due_date, records.c.level)
            .where(records.c.kind == LADDER_KIND, records.c.item_id.in_(item_ids[start:start + 1000]))))
    return found


def _write_unanswered_records(today: date, now: datetime, ladder: Sequence[Level], result: ScanResult) -> None:
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


def _expire(item_ids: set[int], attrs: list[str]) -> None:
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, WorkItem) and obj.id in item_ids:
            db.session.expire(obj, attrs)


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
