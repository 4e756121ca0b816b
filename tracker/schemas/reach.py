"""Reaching people: a person's channels (API `/me/channels` and the settings page), a unit's group robots (its
page), and the trail of one record (who was told, on which channel, when delivered, when read)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .. import limits
from ..services.ledger import reach_config
from ..services.ledger.robots import ROBOTS
from .common import text_field


class ChannelsIn(Schema):
    channels = fields.List(fields.String(validate=validate.OneOf(reach_config.CHANNELS)), load_default=list,
                           validate=validate.Length(max=len(reach_config.CHANNELS)),
                           metadata={"description": "in order, among wecom, dingtalk, feishu (the unit's group "
                                                    "robots) and sms"})
    mobile = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=limits.MOBILE),
                           metadata={"description": "11-digit mainland mobile: SMS, and the robots' @-mention"})


class ChannelsOut(Schema):
    channels = fields.List(fields.String(), required=True)
    mobile = fields.String(allow_none=True, required=True)
    robots = fields.List(fields.String(), required=True, metadata={
        "description": "the robots the caller's unit has switched on: a robot chosen but not among them waits"})
    sms = fields.Boolean(required=True, metadata={"description": "whether the city's SMS gateway is configured"})


class RobotIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(ROBOTS))
    url = text_field(required=True, min_length=8, max_length=limits.WEBHOOK_URL)
    secret = text_field(load_default="", max_length=reach_config.SECRET_LIMIT)


class KindIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(ROBOTS))


class MessageOut(Schema):
    person = fields.String(required=True)
    channel = fields.String(required=True)
    round = fields.Integer(required=True, metadata={"description": "1: at once; 2: the SMS sent once when unread"})
    queued_at = fields.DateTime(required=True)
    status = fields.String(required=True)
    attempts = fields.Integer(required=True)
    delivered_at = fields.DateTime(allow_none=True, required=True)
    last_error = fields.String(allow_none=True, required=True)
    read_at = fields.DateTime(allow_none=True, required=True, metadata={"description": "its link followed"})


class ToldOut(Schema):
    notification_id = fields.Integer(required=True)
    unit = fields.String(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(allow_none=True, required=True, metadata={
        "description": "first read, in the app or by a message's link"})
    read_by = fields.String(allow_none=True, required=True)
    messages = fields.List(fields.Nested(MessageOut), required=True)
