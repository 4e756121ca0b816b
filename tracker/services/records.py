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

from ..errors import Invalid, InvalidTransition, NotAllowed, NotFound
from ..extensions import db
from ..models import AccountabilityRecord, Attachment, RecordStatus, User
from . import audit, permissions
from .deadlines import local_today
from .escalation import MANUAL_KIND, Level

TEXT_LIMIT = 10_000


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


def records_query(*, actor: User, filters: RecordFilters = RecordFilters()) -> sa.Select[Any]:
    """Records the actor may see, filtered, newest first (a Select, so callers can count or paginate)."""
    query = sa.select(AccountabilityRecord)
    if not permissions.sees_everything(actor):
        query = query.where(AccountabilityRecord.unit_id == actor.unit_id)
    for column, value in (("unit_id", filters.unit_id), ("item_id", filters.item_id), ("status", filters.status),
                          ("kind", filters.kind), ("level", filters.level)):
        if value is not None:
            query = query.where(getattr(AccountabilityRecord, column) == value)
    if filters.issued_from is not None:
        query = query.where(AccountabilityRecord.issued_at >= filters.issued_from)
    if filters.issued_to is not None:
        query = query.where(AccountabilityRecord.issued_at < filters.issued_to)
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
           timezone: str, evidence_ids: Sequence[int] = ()) -> AccountabilityRecord:
    """The unit's written answer: why it is late and by when it will be remedied, with optional evidence.

    Only the record's own unit (administrator or member) answers; the office cannot answer for it. Evidence
    is attachments already uploaded to the same item; they are named in the answer's audit event. Raises
    NotAllowed, InvalidTransition (record already answered or closed), Invalid (empty text, remedy in the past,
    foreign attachments).
    """
    if not permissions.is_unit(actor) or actor.unit_id != record.unit_id:
        raise NotAllowed("只有被督办单位可以答复督办记录", "Only the unit concerned may answer a record",
                         code="unit_only")
    if not permissions.can_answer(actor, record):
        raise InvalidTransition("该督办记录已答复或已核销", "The record was already answered or closed")
    text = _required_text(explanation, "explanation", "请填写原因说明")
    if remedy_date < local_today(now, timezone):
        raise Invalid("整改时限不能早于今天", "The remedy date cannot be in the past",
                      fields={"remedy_date": ["不能早于今天"]})
    evidence = _evidence(record, evidence_ids)
    before = snapshot(record)
    record.answer_text, record.remedy_date = text, remedy_date
    record.answered_at, record.answered_by_id = now, actor.id
    record.status = RecordStatus.ANSWERED
    db.session.flush()
    audit.record(actor=actor, action="record.answer", entity_type="accountability_record", entity_id=record.id,
                 item_id=record.item_id, before=before, after=snapshot(record) | {"evidence_ids": evidence},
                 now=now)
    return record


def close(record: AccountabilityRecord, *, actor: User, note: str, now: datetime) -> AccountabilityRecord:
    """核销: the office closes a record, answered or not, with a note. Office only."""
    _require_office(actor)
    if record.status == RecordStatus.CLOSED:
        raise InvalidTransition("该督办记录已核销", "The record is already closed")
    before = snapshot(record)
    record.close_note = _required_text(note, "note", "请填写核销说明")
    record.closed_at, record.closed_by_id = now, actor.id
    record.status = RecordStatus.CLOSED
    db.session.flush()
    audit.record(actor=actor, action="record.close", entity_type="accountability_record", entity_id=record.id,
                 item_id=record.item_id, before=before, after=snapshot(record), now=now)
    return record


def escalate(record: AccountabilityRecord, *, actor: User, note: str, now: datetime, ladder: Sequence[Level],
             timezone: str) -> AccountabilityRecord:
    """The office raises a record by hand to the next level of the ladder: a new record issued by a person.

    The source record stays as it is. Raises NotAllowed (not the office), Invalid (already at the top, or
    already escalated to that level for this due date).
    """
    _require_office(actor)
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
    audit.record(actor=actor, action="record.escalate", entity_type="accountability_record",
                 entity_id=escalated.id, item_id=record.item_id, before={"from_record": record.id},
                 after=snapshot(escalated), now=now)
    return escalated


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
