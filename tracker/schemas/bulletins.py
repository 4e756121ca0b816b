"""The month's and the quarter's 通报: what the API reads and answers, and what the web's forms read."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validates_schema

from ..models import BulletinKind, BulletinStatus
from .common import id_field, page_limit, page_offset, text_field

TEXT_LIMIT = 10_000


class BulletinQueryArgs(Schema):
    kind = fields.Enum(BulletinKind, by_value=True, metadata={"description": "month or quarter"})
    status = fields.Enum(BulletinStatus, by_value=True, metadata={"description": "draft (office only) or issued"})
    limit = page_limit(100, most=500)
    offset = page_offset()


class BulletinTextIn(Schema):
    """The office's text of a draft: either part or both, with the version it was read at (409 when stale)."""

    lead_text = text_field(max_length=TEXT_LIMIT, metadata={"label": ("导语", "Lead paragraph")})
    closing_text = text_field(max_length=TEXT_LIMIT, metadata={"label": ("结束语", "Closing remarks")})
    version = id_field(required=True)

    @validates_schema
    def _some_text(self, data: dict[str, Any], **_: Any) -> None:
        if "lead_text" not in data and "closing_text" not in data:
            raise ValidationError("须提供导语或结束语", field_name="lead_text")


class BulletinIssueIn(Schema):
    version = id_field(required=True)
    notify_leaders = fields.Boolean(load_default=False,
                                    metadata={"description": "tell the leaders (their units' notifications and mail)"})


class BulletinSummaryOut(Schema):
    id = fields.Integer(required=True)
    plan_id = fields.Integer(required=True)
    kind = fields.Enum(BulletinKind, by_value=True, required=True)
    period = fields.String(required=True, metadata={"description": "2024-05 or 2024-Q2"})
    title = fields.String(required=True)
    status = fields.Enum(BulletinStatus, by_value=True, required=True)
    number = fields.String(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)
    issued_at = fields.DateTime(allow_none=True, required=True)
    version = fields.Integer(required=True)


class BulletinOut(BulletinSummaryOut):
    lead_text = fields.String(required=True)
    closing_text = fields.String(required=True)
    issued_by_id = fields.Integer(allow_none=True, required=True)
    data = fields.Dict(required=True, metadata={"description": "the figures: frozen once issued, current for a draft"})
