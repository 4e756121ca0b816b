"""Comments on an item, who they name with @, and who may be named."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .. import limits
from .common import text_field

KINDS = validate.OneOf(("user", "unit"))


class CommentIn(Schema):
    text = text_field(required=True, min_length=1, max_length=limits.COMMENT,
                      metadata={"description": "@ a person's name or login, or a unit's short name, to tell them"})


class MentionOut(Schema):
    kind = fields.String(required=True, validate=KINDS)
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class AuthorOut(Schema):
    id = fields.Integer(required=True)
    display_name = fields.String(required=True)


class CommentOut(Schema):
    id = fields.Integer(required=True)
    item_id = fields.Integer(required=True)
    author = fields.Nested(AuthorOut, required=True)
    at = fields.DateTime(required=True)
    text = fields.String(required=True)
    mentions = fields.List(fields.Nested(MentionOut), required=True)


class MentionableOut(Schema):
    kind = fields.String(required=True, validate=KINDS)
    id = fields.Integer(required=True)
    label = fields.String(required=True, metadata={"description": "what to write after @"})
    detail = fields.String(required=True, metadata={"description": "a person's unit"})
    aliases = fields.List(fields.String(), required=True, metadata={"description": "other names taken after @"})
