"""The caller and their API tokens."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .. import limits
from ..models import Role
from .common import id_field, query_id, text_field


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


class AccountEditIn(Schema):
    """What an administrator sets on an account (the office: any role and unit; a unit's admin: its members)."""
    display_name = text_field(required=True, min_length=1, max_length=limits.PERSON_NAME,
                              metadata={"label": ("姓名", "Name")})
    email = fields.Email(load_default=None, validate=validate.Length(max=limits.EMAIL),
                         metadata={"label": ("电子邮箱", "Email")})
    role = fields.Enum(Role, by_value=True, required=True, metadata={"label": ("角色", "Role")})
    unit_id = id_field(required=True, metadata={"label": ("单位", "Unit")})


class AccountIn(AccountEditIn):
    username = text_field(required=True, min_length=1, max_length=limits.LOGIN_NAME,
                          metadata={"label": ("登录名", "Login name")})


class AccountFilterArgs(Schema):
    q = text_field(load_default=None, max_length=limits.SEARCH, metadata={"label": ("搜索", "Search")})
    role = fields.Enum(Role, by_value=True, load_default=None, metadata={"label": ("角色", "Role")})
    unit = query_id(load_default=None, metadata={"label": ("单位", "Unit")})
    enabled = fields.Boolean(load_default=None, metadata={"label": ("状态", "Status")})
