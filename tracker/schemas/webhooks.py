"""Outgoing webhooks (the office's): registration and the delivery log."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .. import limits
from ..services.ledger import webhooks
from .common import id_field, text_field


class WebhookIn(Schema):
    url = text_field(required=True, min_length=8, max_length=limits.WEBHOOK_URL, metadata={"description": "http(s) URL"})
    events = fields.List(fields.String(validate=validate.Length(max=32)), required=True,
                         validate=validate.Length(min=1, max=20),
                         metadata={"description": "record_issued, item_returned, extension_decided, "
                                                  "item_approved, due_soon"})
    unit_id = id_field(load_default=None, allow_none=True, metadata={"description": "null: every unit"})


class ActiveIn(Schema):
    active = fields.Boolean(required=True)


class WebhookOut(Schema):
    id = fields.Integer(required=True)
    url = fields.String(required=True)
    unit_id = fields.Integer(allow_none=True, required=True)
    events = fields.List(fields.String(), required=True)
    secret_hint = fields.Function(lambda hook: webhooks.secret_hint(hook), required=True, metadata={
        "description": "the secret's last characters: the secret itself is shown once, when made or rotated"})
    active = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)


class WebhookWithSecretOut(WebhookOut):
    """The answer to registering a hook or rotating its secret: the only time the secret is shown."""

    secret = fields.String(required=True, metadata={
        "description": "HMAC-SHA256 key: X-Tracker-Signature is sha256=<hex of HMAC(secret, "
                       "'<X-Tracker-Timestamp>.' + body)>; keep it, it is not shown again"})


class AttemptOut(Schema):
    at = fields.DateTime(required=True)
    webhook_id = fields.Integer(required=True)
    delivery_id = fields.Integer(required=True)
    event = fields.String(required=True)
    status_code = fields.Integer(allow_none=True, required=True)
    response_ms = fields.Integer(required=True)
    error = fields.String(allow_none=True, required=True)
    delivered = fields.Boolean(required=True, metadata={"description": "the delivery was acknowledged (2xx)"})
