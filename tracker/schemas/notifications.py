"""Notifications (站内通知) and the to-do list (我的待办)."""
from __future__ import annotations

from marshmallow import Schema, fields

from .common import page_limit, page_offset


class NotificationQueryArgs(Schema):
    unread = fields.Boolean(load_default=False, metadata={"description": "true: unread ones only"})
    limit = page_limit(50, most=500)
    offset = page_offset()


class NotificationOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={
        "description": "record_issued, item_returned, extension_decided, item_approved, due_soon, ..."})
    text = fields.String(required=True)
    item_id = fields.Integer(allow_none=True, required=True)
    record_id = fields.Integer(allow_none=True, required=True)
    unit_id = fields.Integer(allow_none=True, required=True, metadata={"description": "set: to the whole unit"})
    user_id = fields.Integer(allow_none=True, required=True, metadata={"description": "set: to one person"})
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(allow_none=True, required=True)


class CountOut(Schema):
    count = fields.Integer(required=True)


class TodoEntryOut(Schema):
    item_id = fields.Integer(allow_none=True, required=True)
    title = fields.String(required=True)
    unit_name = fields.String(required=True)
    deadline = fields.Date(allow_none=True, required=True, metadata={"description": "due, answer due, ..."})
    note = fields.String(required=True)
    record_id = fields.Integer(allow_none=True, required=True)
    unit_id = fields.Integer(allow_none=True, required=True)
    notification_id = fields.Integer(allow_none=True, required=True, metadata={
        "description": "a 批示 not yet read: POST /notifications/{id}/read acknowledges it"})
    contest_id = fields.Integer(allow_none=True, required=True, metadata={
        "description": "a contest (异议): the office decides it with POST /contests/{id}/decision"})
    proposed_unit_id = fields.Integer(allow_none=True, required=True, metadata={
        "description": "a contest's unit named as responsible"})
    version = fields.Integer(allow_none=True, required=True, metadata={
        "description": "a contest's item version, which its decision sends"})


class TodoSectionOut(Schema):
    key = fields.String(required=True, metadata={
        "description": "unit: instructions, to_review (a unit with units below it: the parts it split), to_answer, "
                       "returned, to_sign, extension_decisions, my_contests, due_soon; office: to_review, "
                       "extension_requests, contests, to_close, unanswered_units"})
    label = fields.String(required=True)
    count = fields.Integer(required=True)
    entries = fields.List(fields.Nested(TodoEntryOut), required=True, metadata={"description": "the first 10"})
