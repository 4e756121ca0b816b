"""The overdue list (GET /overdue): its query and its lean rows.

The endpoint encodes its rows with orjson as the service builds them (services/work/overdue.py), not through
these schemas: they document the answer in the OpenAPI document and a test holds the rows to them.
"""
from __future__ import annotations

from marshmallow import Schema, fields

from ..models import ItemStatus
from .common import query_id


class OverdueQueryArgs(Schema):
    plan = query_id(metadata={"description": "the plan (default: the latest loaded)"})
    unit = query_id(metadata={"description": "only the items this unit leads (牵头)"})


class OverdueRowOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    status = fields.Enum(ItemStatus, by_value=True, required=True)
    unit_id = fields.Integer(required=True, metadata={"description": "the lead unit (牵头单位)"})
    unit_name = fields.String(required=True)
    task_id = fields.Integer(allow_none=True, required=True, metadata={"description": "null for ad-hoc items"})
    due_date = fields.Date(required=True)
    days_overdue = fields.Integer(required=True)
    version = fields.Integer(required=True, metadata={"description": "for If-Match on a later change"})
    open_level = fields.String(allow_none=True, required=True,
                               metadata={"description": "highest open record: 提醒/催办/督办/通报"})
