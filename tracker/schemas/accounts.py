"""The caller and their API tokens."""
from __future__ import annotations

from marshmallow import Schema, fields

from ..models import Role
from .common import text_field


class UnitRefOut(Schema):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    name = fields.String(required=True)
    short_name = fields.String(required=True)


class MeOut(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    role = fields.Enum(Role, by_value=True, required=True)
    unit = fields.Nested(UnitRefOut, required=True)


class TokenIn(Schema):
    name = text_field(required=True, min_length=1, max_length=100)


class TokenOut(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    prefix = fields.String(required=True, metadata={"description": "the first characters, to recognise it"})
    created_at = fields.DateTime(required=True)
    revoked_at = fields.DateTime(allow_none=True, required=True)


class NewTokenOut(TokenOut):
    token = fields.String(required=True, metadata={"description": "the secret: shown this once, never again"})
