"""Accountability records: the ledger's rows, the unit's answer, the office's closing or escalation."""
from __future__ import annotations

from typing import Any


from ..clock import utcnow
from ..models import AccountabilityRecord
from ..services.ledger import reach, records
from .auth import actor
from .common import api_blueprint, errors
from ..schemas.reach import ToldOut
from ..schemas.records import AnswerIn, BulkCloseIn, NoteIn, RecordOut, RecordQueryArgs
from ..settings import settings

blp = api_blueprint("records", "Accountability records (督办记录)")


@blp.route("/records")
@blp.arguments(RecordQueryArgs, location="query")
@blp.response(200, RecordOut(many=True))
@errors(blp)
def list_records(args: dict[str, Any]) -> list[AccountabilityRecord]:
    """Newest first; a unit sees its own unit's records only."""
    limit, offset = args.pop("limit"), args.pop("offset")
    return records.list_records(actor=actor(), filters=records.RecordFilters(**args), limit=limit, offset=offset)


@blp.route("/records/<id:record_id>")
@blp.response(200, RecordOut)
@errors(blp, 404)
def get_record(record_id: int) -> AccountabilityRecord:
    return records.get_record(record_id, actor=actor())


@blp.route("/records/<id:record_id>/trail")
@blp.response(200, ToldOut(many=True))
@errors(blp, 404)
def get_trail(record_id: int) -> list[dict[str, Any]]:
    """Who was told of the record: each notification (unit, when, first read by whom and when) and each message
    to a person (channel, round, delivered, link followed)."""
    record = records.get_record(record_id, actor=actor())
    return [{"notification_id": t.notification.id, "unit": t.unit_name, "created_at": t.notification.created_at,
             "read_at": t.notification.read_at, "read_by": t.read_by,
             "messages": [{"person": name, "channel": m.channel, "round": m.round, "queued_at": m.created_at,
                           "status": m.status.value, "attempts": m.attempts, "delivered_at": m.delivered_at,
                           "last_error": m.last_error, "read_at": m.read_at} for m, name in t.messages]}
            for t in reach.trail(record.id)]


@blp.route("/records/<id:record_id>/answer", methods=["POST"])
@blp.arguments(AnswerIn)
@blp.response(200, RecordOut)
@errors(blp, 403, 404)
def answer(data: dict[str, Any], record_id: int) -> AccountabilityRecord:
    """The unit's written explanation and remedy date (the unit concerned only)."""
    record = records.get_record(record_id, actor=actor())
    records.answer(record, actor=actor(), explanation=data["explanation"], remedy_date=data["remedy_date"],
                   evidence_ids=data["evidence_ids"], now=utcnow(), timezone=settings().timezone)
    return record


@blp.route("/records/<id:record_id>/read", methods=["POST"])
@blp.response(200, RecordOut)
@errors(blp, 403, 404)
def mark_read(record_id: int) -> AccountabilityRecord:
    """A user of the unit notes having read the notice (the first reading is kept); others change nothing."""
    record = records.get_record(record_id, actor=actor())
    records.mark_read([record], actor=actor(), now=utcnow())
    return record


@blp.route("/records/close", methods=["POST"])
@blp.arguments(BulkCloseIn)
@blp.response(200, RecordOut(many=True))
@errors(blp, 403, 404)
def close_many(data: dict[str, Any]) -> list[AccountabilityRecord]:
    """核销 several records (e.g. the 待核销 queue's answered ones) with one note; all or none."""
    closed = records.close_many(data["record_ids"], actor=actor(), note=data["note"], now=utcnow())
    return closed


@blp.route("/records/<id:record_id>/close", methods=["POST"])
@blp.arguments(NoteIn)
@blp.response(200, RecordOut)
@errors(blp, 403, 404)
def close(data: dict[str, Any], record_id: int) -> AccountabilityRecord:
    """核销: the office closes the record with a note."""
    record = records.close(records.get_record(record_id, actor=actor()), actor=actor(), note=data["note"],
                           now=utcnow())
    return record


@blp.route("/records/<id:record_id>/escalate", methods=["POST"])
@blp.arguments(NoteIn)
@blp.response(201, RecordOut)
@errors(blp, 403, 404)
def escalate(data: dict[str, Any], record_id: int) -> AccountabilityRecord:
    """The office raises the record by hand to the next level; answers the new record."""
    record = records.escalate(records.get_record(record_id, actor=actor()), actor=actor(), note=data["note"],
                              now=utcnow(), ladder=settings().ladder,
                              timezone=settings().timezone,
                              number_format=settings().number_format)
    return record
