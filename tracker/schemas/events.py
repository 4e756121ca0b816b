"""Audit events as the API shows them."""
from __future__ import annotations

from datetime import timezone

from marshmallow import Schema, fields

from .common import UtcDateTime, page_limit, query_id


class EventOut(Schema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor_id = fields.Integer(allow_none=True, required=True)
    actor_label = fields.String(required=True)
    action = fields.String(required=True)
    entity_type = fields.String(required=True)
    entity_id = fields.Integer(allow_none=True, required=True)
    item_id = fields.Integer(allow_none=True, required=True)
    before = fields.Dict(allow_none=True, required=True)
    after = fields.Dict(allow_none=True, required=True)


class EventQueryArgs(Schema):
    since = UtcDateTime(default_timezone=timezone.utc,
                        metadata={"description": "only events at or after this time"})
    cursor = query_id(metadata={"description": "opaque: from the Link header of the previous page"})
    limit = page_limit(200, most=1000)
