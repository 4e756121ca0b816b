"""Accountability records (督办台账) as people handle them: a unit answers, the office closes (核销) or escalates.

Permissions follow the rest of the tracker: a unit sees and answers its own unit's records only (others are
reported as not found), leaders read everything and change nothing, the office reads all and closes or
escalates. Records are never deleted; every change is an audit event in the same transaction.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ... import limits
from ...errors import Invalid, InvalidTransition, NotAllowed, NotFound, TrackerError
from ...extensions import db
from ...models import AccountabilityRecord, Attachment, RecordStatus, User, WorkItem
from ...models.accountability import MANUAL_KIND
from . import alerts, notices, notifications
from ..plan import wording
from ..trust import audit, permissions
from ..work.deadlines import local_today
from .ladder import Level

TEXT_LIMIT = limits.NOTE


@dataclass(frozen=True)
class RecordFilters:
    """What a ledger view or the API may filter on; None means any."""

    unit_id: int | None = None
    item_id: int | None = None
    status: RecordStatus | None = None
    kind: str | None = None
    level: int | None = None
    issued_from: datetime | None = None
    issued_to: datetime | None = None
    owes_answer: bool | None = None
    due_from: date | None = None
    due_to: date | None = None


def records_query(*, actor: User, filters: RecordFilters = RecordFilters()) -> sa.Select[Any]:
    """Records the actor may see, filtered, newest first (a Select, so callers can count or paginate)."""
    query = sa.select(AccountabilityRecord)
    if not permissions.sees_everything(actor):
        query = query.where(AccountabilityRecord.unit_id == actor.unit_id)
    for column, value in (("unit_id", filters.unit_id), ("item_id", filters.item_id), ("status", filters.status),
                          ("kind", filters.kind), ("level", filters.level)):
        if value is not None:
            query = query.where(getattr(AccountabilityRecord, column) == value)
    if filters.owes_answer is not None:
        owed = AccountabilityRecord.answer_due.is_not(None)
        query = query.where(owed if filters.owes_answer else ~owed)
    if filters.issued_from is not None:
        query = query.where(AccountabilityRecord.issued_at >= filters.issued_from)
    if filters.issued_to is not None:
        query = query.where(AccountabilityRecord.issued_at < filters.issued_to)
    if filters.due_from is not None:
        query = query.where(AccountabilityRecord.due_date >= filters.due_from)
    if filters.due_to is not None:
        query = query.where(AccountabilityRecord.due_date <= filters.due_to)
    return query.order_by(AccountabilityRecord.issued_at.desc(), AccountabilityRecord.id.desc())


def list_records(*, actor: User, filters: RecordFilters = RecordFilters(), limit: int = 50,
                 offset: int = 0) -> list[AccountabilityRecord]:
    return list(db.session.scalars(records_query(actor=actor, filters=filters).limit(limit).offset(offset)))


def get_record(record_id: int, *, actor: User) -> AccountabilityRecord:
    """One record; NotFound when it does not exist or belongs to another unit."""
    record = db.session.get(AccountabilityRecord, record_id)
    if record is None or not (permissions.sees_everything(actor) or record.unit_id == actor.unit_id):
        raise NotFound("督办记录不存在或无权查看", "Record not found", code="record_not_found")
    return record


def snapshot(record: AccountabilityRecord) -> dict[str, Any]:
    return audit.jsonable({
        "kind": record.kind, "level": record.level, "level_name": record.level_name, "status": record.status,
        "due_date": record.due_date, "answer_due": record.answer_due, "answer_text": record.answer_text,
        "remedy_date": record.remedy_date, "close_note": record.close_note,
    })


def answer(record: AccountabilityRecord, *, actor: User, explanation: str, remedy_date: date, now: datetime,
           timezone: str, evidence_ids: Sequence[int] = ()) -> list[AccountabilityRecord]:
    """The unit's written answer: why it is late and by when it will be remedied, with optional evidence.

    One answer covers every open 督办 record of the same item (a late item may carry several, one per due date
    or a manual escalation); each answered record gets its own audit event. Only the record's own unit
    (administrator or member) answers; the office cannot answer for it. Evidence is attachments already
    uploaded to the same item. Raises NotAllowed, InvalidTransition (a notice, which owes no answer, or a
    record already answered, closed or settled), Invalid (empty text, remedy in the past, foreign attachments).
    """
    if not permissions.is_unit(actor) or actor.unit_id != record.unit_id:
        raise NotAllowed("只有被督办单位可以答复督办记录", "Only the unit concerned may answer a record",
                         code="unit_only")
    if not record.owes_answer:
        raise InvalidTransition(f"{record.level_name}为通知,阅知即可,无需答复",
                                f"A {record.level_name} is a notice: it is read, not answered", code="notice_only")
    if record.status != RecordStatus.OPEN:
        raise InvalidTransition("该督办记录已答复、已核销或已办结销号",
                                "The record was already answered, closed or settled")
    text = _required_text(explanation, "explanation", "请填写原因说明")
    if remedy_date < local_today(now, timezone):
        raise Invalid("整改时限不能早于今天", "The remedy date cannot be in the past",
                      fields={"remedy_date": ["不能早于今天"]})
    evidence = _evidence(record, evidence_ids)
    covered = open_answer_owing(record.item_id, unit_id=record.unit_id)
    for each in covered:
        before = snapshot(each)
        each.answer_text, each.remedy_date = text, remedy_date
        each.answered_at, each.answered_by_id = now, actor.id
        each.status = RecordStatus.ANSWERED
        db.session.flush()
        audit.record(actor=actor, action="record.answer", entity_type="accountability_record", entity_id=each.id,
                     item_id=each.item_id, before=before, after=snapshot(each) | {"evidence_ids": evidence},
                     now=now)
    return covered


def open_answer_owing(item_id: int, *, unit_id: int) -> list[AccountabilityRecord]:
    """The item's open 督办 records of that unit, oldest first: what one answer covers."""
    return list(db.session.scalars(sa.select(AccountabilityRecord).where(
        AccountabilityRecord.item_id == item_id, AccountabilityRecord.unit_id == unit_id,
        AccountabilityRecord.status == RecordStatus.OPEN, AccountabilityRecord.answer_due.is_not(None))
        .order_by(AccountabilityRecord.id)))


def close(record: AccountabilityRecord, *, actor: User, note: str, now: datetime) -> AccountabilityRecord:
    """核销: the office closes a record, answered or not, with a note. Office only."""
    require_closable(actor, record)
    before = snapshot(record)
    record.close_note = _required_text(note, "note", "请填写核销说明")
    record.closed_at, record.closed_by_id = now, actor.id
    record.status = RecordStatus.CLOSED
    db.session.flush()
    audit.record(actor=actor, action="record.close", entity_type="accountability_record", entity_id=record.id,
                 item_id=record.item_id, before=before, after=snapshot(record), now=now)
    return record


def close_refusal(actor: User, record: AccountabilityRecord) -> TrackerError | None:
    """Why the actor may not close (核销) or escalate the record now, or None: the office only (asked first), on
    a record still open or answered."""
    refusal: TrackerError | None = permissions.read_only_refusal(actor)
    if refusal is None and not permissions.is_office(actor):
        refusal = NotAllowed("仅领导小组办公室可以执行此操作", "Only the leading-group office may do this",
                             code="office_only")
    if refusal is None and record.status in (RecordStatus.CLOSED, RecordStatus.SETTLED):
        refusal = InvalidTransition("该督办记录已核销或已办结销号", "The record is already closed or settled")
    return refusal


def require_closable(actor: User, record: AccountabilityRecord) -> None:
    refusal = close_refusal(actor, record)
    if refusal is not None:
        raise refusal


def closable(actor: User, rows: Sequence[AccountabilityRecord]) -> set[int]:
    """The records of a list the actor may close or escalate: what the item page offers a form for."""
    return {record.id for record in rows if close_refusal(actor, record) is None}


def close_many(record_ids: Sequence[int], *, actor: User, note: str, now: datetime) -> list[AccountabilityRecord]:
    """核销 several records with one note, all or none: one refused record refuses the batch."""
    _require_office(actor)
    wanted = sorted(set(record_ids))
    if not wanted:
        raise Invalid("请选择要核销的督办记录", "Choose the records to close", fields={"record_ids": ["必选"]})
    return [close(get_record(record_id, actor=actor), actor=actor, note=note, now=now) for record_id in wanted]


def escalate(record: AccountabilityRecord, *, actor: User, note: str, now: datetime, ladder: Sequence[Level],
             timezone: str, number_format: str = notices.DEFAULT_FORMAT) -> AccountabilityRecord:
    """The office raises a record by hand to the next level of the ladder: a new record issued by a person.

    The source record stays as it is. Raises NotAllowed (not the office), Invalid (already at the top, or
    already escalated to that level for this due date), InvalidTransition (a record closed or settled).
    """
    require_closable(actor, record)
    reason = _required_text(note, "note", "请填写升级督办的理由")
    if record.level >= len(ladder):
        raise Invalid("已是最高督办等级,不能再升级", "The record is already at the top of the ladder",
                      code="top_of_ladder")
    level = ladder[record.level]
    exists = db.session.execute(sa.select(AccountabilityRecord.id).where(
        AccountabilityRecord.item_id == record.item_id, AccountabilityRecord.kind == MANUAL_KIND,
        AccountabilityRecord.level == level.level, AccountabilityRecord.due_date == record.due_date)).first()
    if exists:
        raise Invalid(f"已人工升级为{level.name}", f"Already escalated to {level.name} by hand",
                      code="already_escalated")
    today = local_today(now, timezone)
    answer_due = today + timedelta(days=level.answer_within_days) if level.answer_within_days else None
    escalated = AccountabilityRecord(
        item_id=record.item_id, unit_id=record.unit_id, kind=MANUAL_KIND, level=level.level,
        level_name=level.name, due_date=record.due_date, reason=f"办公室人工升级为{level.name}:{reason}",
        issued_at=now, issued_by_id=actor.id, answer_due=answer_due, status=RecordStatus.OPEN)
    db.session.add(escalated)
    db.session.flush()
    notices.assign_numbers(ladder=ladder, timezone=timezone, number_format=number_format)
    item = db.session.get(WorkItem, record.item_id)
    assert item is not None
    text = alerts.issued_text(escalated.level_name, escalated.reason, escalated.answer_due,
                              wording.title(item))
    notifications.notify(kind=notifications.RECORD_ISSUED, unit_ids=[record.unit_id], item=item,
                         record_id=escalated.id, now=now, text=text)
    copies = [unit_id for unit_id in alerts.copied_to({item.id}).get(item.id, []) if unit_id != record.unit_id]
    notifications.notify(kind=notifications.RECORD_ISSUED, unit_ids=copies, item=item, record_id=escalated.id,
                         now=now, text=f"抄送 {text}")
    audit.record(actor=actor, action="record.escalate", entity_type="accountability_record",
                 entity_id=escalated.id, item_id=record.item_id, before={"from_record": record.id},
                 after=snapshot(escalated), now=now)
    return escalated


SETTLE_NOTE = "工作项已办结,督办记录自动办结销号"


def settle_item(item_id: int, *, now: datetime, note: str = SETTLE_NOTE) -> list[int]:
    """办结销号: settle every open or answered record of an item, at once, by the system, in one audit event.

    Called in the transaction that approves (or cancels) the item, so no count ever sees a finished item's
    record as owed. Returns the ids settled (none is no event).
    """
    table = AccountabilityRecord.__table__
    ids = list(db.session.scalars(sa.select(table.c.id).where(
        table.c.item_id == item_id, table.c.status.in_([RecordStatus.OPEN.value, RecordStatus.ANSWERED.value]))
        .order_by(table.c.id)))
    if not ids:
        return []
    db.session.execute(sa.update(table).where(table.c.id.in_(ids)).values(
        status=RecordStatus.SETTLED.value, closed_at=now, closed_by_id=None, close_note=note))
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, AccountabilityRecord) and obj.id in ids:
            db.session.expire(obj)
    audit.record(actor=None, actor_label="system", action="record.settle", entity_type="accountability_record",
                 entity_id=None, item_id=item_id, after={"records": ids, "status": RecordStatus.SETTLED.value,
                                                          "note": note}, now=now)
    return ids


def mark_read(rows: Sequence[AccountabilityRecord], *, actor: User, now: datetime) -> list[AccountabilityRecord]:
    """Note the unit's first reading of its records (who, when); others' reading changes nothing.

    The first reading is kept: a later reader does not overwrite it. One audit event per record read.
    """
    if actor.role not in permissions.UNIT_ROLES:
        return []
    fresh = [r for r in rows if r.unit_id == actor.unit_id and r.read_at is None]
    for record in fresh:
        record.read_at, record.read_by_id = now, actor.id
    db.session.flush()
    for record in fresh:
        audit.record(actor=actor, action="record.read", entity_type="accountability_record", entity_id=record.id,
                     item_id=record.item_id, after={"read_at": now}, now=now)
    return fresh


@dataclass(frozen=True)
class LedgerCounts:
    """What is really owed: 待答复 (open 督办 records), 待核销 (answered ones the office has not closed)."""

    awaiting_answer: int
    awaiting_close: int


def counts(*, actor: User, unit_id: int | None = None) -> LedgerCounts:
    """Settled records (of finished items) are neither open nor answered, so they never count here."""
    query = records_query(actor=actor, filters=RecordFilters(unit_id=unit_id)).order_by(None)
    table = query.subquery()
    row = db.session.execute(sa.select(
        sa.func.count().filter(table.c.status == RecordStatus.OPEN.value, table.c.answer_due.is_not(None)),
        sa.func.count().filter(table.c.status == RecordStatus.ANSWERED.value))).one()
    return LedgerCounts(awaiting_answer=row[0], awaiting_close=row[1])


def _require_office(actor: User) -> None:
    permissions.require_not_read_only(actor)
    permissions.require_office(actor)


def _required_text(value: str, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text or len(text) > TEXT_LIMIT:
        raise Invalid(f"{message}(不超过 {TEXT_LIMIT} 字)", f"{field} is required (at most {TEXT_LIMIT} chars)",
                      fields={field: [message]})
    return text


def _evidence(record: AccountabilityRecord, evidence_ids: Sequence[int]) -> list[int]:
    wanted = sorted(set(evidence_ids))
    if not wanted:
        return []
    found = set(db.session.scalars(sa.select(Attachment.id).where(
        Attachment.id.in_(wanted), Attachment.item_id == record.item_id)))
    if found != set(wanted):
        raise Invalid("佐证材料须是该工作项已上传的附件", "Evidence must be files attached to this item",
                      fields={"evidence_ids": [f"无效:{sorted(set(wanted) - found)}"]})
    return wanted
