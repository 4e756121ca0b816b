"""Progress updates, evidence files and extension requests."""
from __future__ import annotations

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from .. import limits
from ..models import ExtensionStatus
from ..services.work import progress
from ..services.work.deadline_extensions import DECISIONS
from .common import TextInteger, day_field, text_field


class EvidenceFile(Upload):
    """A multipart file part, handed to the services as an upload (its name as sent, its stream); a plain text
    part in its place is refused."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> progress.Upload:
        if not isinstance(value, FileStorage):
            raise ValidationError("须为上传的文件")
        return progress.Upload(filename=value.filename or "", stream=value.stream)


class ProgressIn(Schema):
    text = text_field(required=True, min_length=1, max_length=limits.NOTE)
    percent = TextInteger(validate=validate.Range(min=0, max=100))
    files: fields.List[progress.Upload] = fields.List(
        EvidenceFile(), load_default=list,
        metadata={"description": "pdf, doc(x), xls(x), ppt(x), png, jpg; size-limited"})


class StoredFileOut(Schema):
    """A file as it was uploaded and stored, evidence of progress or an indicator report's attachment alike."""

    id = fields.Integer(required=True)
    original_name = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)


class AttachmentOut(StoredFileOut):
    at = fields.DateTime(required=True)


class ProgressOut(Schema):
    id = fields.Integer(required=True)
    item_id = fields.Integer(required=True)
    author_id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    text = fields.String(required=True)
    percent = fields.Integer(allow_none=True, required=True)
    is_closing_report = fields.Boolean(required=True)
    attachments = fields.List(fields.Nested(AttachmentOut), required=True)


class ExtensionIn(Schema):
    due = day_field(required=True, metadata={"description": "the new due date asked for"})
    reason = text_field(required=True, min_length=1, max_length=limits.NOTE)


class DecisionIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(sorted(DECISIONS)))
    note = text_field(max_length=limits.NOTE, metadata={"description": "required to refuse"})


class ExtensionOut(Schema):
    id = fields.Integer(required=True)
    item_id = fields.Integer(required=True)
    requested_by_id = fields.Integer(required=True)
    requested_at = fields.DateTime(required=True)
    current_due = fields.Date(required=True, metadata={"description": "the due date when asked"})
    requested_due = fields.Date(required=True)
    reason = fields.String(required=True)
    status = fields.Enum(ExtensionStatus, by_value=True, required=True)
    decided_by_id = fields.Integer(allow_none=True, required=True)
    decided_at = fields.DateTime(allow_none=True, required=True)
    decision_note = fields.String(allow_none=True, required=True)
