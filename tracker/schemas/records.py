"""Accountability records (督办记录) and weekly digests."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .. import limits
from ..models import DeliveryStatus, RecordStatus
from .common import TextInteger, UtcDateTime, day_field, id_field, page_limit, page_offset, query_id, text_field

PERIOD_KEY = validate.Regexp(r"^\d{4}-W\d{2}$", error="须为 ISO 周,例如 2024-W02")


class RecordQueryArgs(Schema):
    unit_id = query_id()
    item_id = query_id()
    status = fields.Enum(RecordStatus, by_value=True)
    kind = fields.String(validate=validate.OneOf(["ladder", "unanswered", "manual"]))
    level = TextInteger(validate=validate.Range(min=1, max=20))
    owes_answer = fields.Boolean(metadata={"description": "true: 督办 records only (they owe an answer); false: notices"})
    issued_from = UtcDateTime(metadata={"description": "issued at or after (ISO 8601 with offset)"})
    issued_to = UtcDateTime(metadata={"description": "issued before (ISO 8601 with offset)"})
    limit = page_limit(50, most=500)
    offset = page_offset()


class RecordOut(Schema):
    id = fields.Integer(required=True)
    item_id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    level = fields.Integer(required=True)
    level_name = fields.String(required=True)
    due_date = fields.Date(required=True)
    reason = fields.String(required=True)
    doc_number = fields.String(allow_none=True, required=True,
                               metadata={"description": "督办/通报 notices: e.g. 督办〔2024〕12号; PDF at .../notice.pdf"})
    issued_at = fields.DateTime(required=True)
    issued_by_id = fields.Integer(allow_none=True, required=True)
    answer_due = fields.Date(allow_none=True, required=True)
    answer_text = fields.String(allow_none=True, required=True)
    remedy_date = fields.Date(allow_none=True, required=True)
    answered_at = fields.DateTime(allow_none=True, required=True)
    closed_at = fields.DateTime(allow_none=True, required=True)
    close_note = fields.String(allow_none=True, required=True)
    read_at = fields.DateTime(allow_none=True, required=True,
                              metadata={"description": "when a user of the unit first read it"})
    read_by_id = fields.Integer(allow_none=True, required=True)
    owes_answer = fields.Boolean(required=True, metadata={"description": "督办: a written answer is owed"})
    status = fields.Enum(RecordStatus, by_value=True, required=True,
                         metadata={"description": "settled = 已办结销号 (the item was finished)"})


class AnswerIn(Schema):
    explanation = text_field(required=True, min_length=1, max_length=limits.NOTE)
    remedy_date = day_field(required=True, metadata={"description": "by when the unit will have remedied it"})
    evidence_ids = fields.List(id_field(), load_default=list, validate=validate.Length(max=50),
                               metadata={"description": "attachments already uploaded to the same item"})


class NoteIn(Schema):
    note = text_field(required=True, min_length=1, max_length=limits.NOTE)


class BulkCloseIn(Schema):
    record_ids = fields.List(id_field(), required=True, validate=validate.Length(min=1, max=500))
    note = text_field(required=True, min_length=1, max_length=limits.NOTE)


class DigestQueryArgs(Schema):
    period_key = fields.String(validate=PERIOD_KEY, metadata={"description": "ISO week, e.g. 2024-W02"})
    unit_id = query_id()
    limit = page_limit(50, most=500)
    offset = page_offset()


class DigestSummaryOut(Schema):
    id = fields.Integer(required=True)
    period_key = fields.String(required=True)
    recipient_key = fields.String(required=True)
    unit_id = fields.Integer(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    subject = fields.String(required=True)


class DeliveryOut(Schema):
    address = fields.String(required=True)
    status = fields.Enum(DeliveryStatus, by_value=True, required=True)
    attempts = fields.Integer(required=True)
    sent_at = fields.DateTime(allow_none=True, required=True)


class DigestOut(DigestSummaryOut):
    data = fields.Dict(required=True, metadata={"description": "the snapshot the digest was rendered from"})
    html = fields.String(required=True)
    text = fields.String(required=True)
    deliveries = fields.List(fields.Nested(DeliveryOut), required=True)
