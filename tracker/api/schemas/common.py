"""Shared fields and the error shape."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

MAX_ID = 2**31 - 1
ID_RANGE = validate.Range(min=1, max=MAX_ID)
# No NUL or other control characters but tab and line breaks: PostgreSQL refuses NUL in text (a 500 otherwise),
# and none belongs in what a person writes. As a pattern, so the OpenAPI document says it too.
NO_CONTROL = validate.Regexp(r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$", error="不能包含控制字符")


def text_field(*, min_length: int | None = None, max_length: int, **kwargs: object) -> fields.String:
    """A string a person wrote, with a length limit and without control characters."""
    return fields.String(validate=[validate.Length(min=min_length, max=max_length), NO_CONTROL],
                         **kwargs)  # type: ignore[arg-type]


def id_field(**kwargs: object) -> fields.Integer:
    """An id as JSON gives it: a strict integer in the database's range (2**63 is a 422, not a 500)."""
    return fields.Integer(strict=True, validate=ID_RANGE, **kwargs)  # type: ignore[arg-type]


def query_id(**kwargs: object) -> fields.Integer:
    """An id from a query string (text, so not strict), in range."""
    return fields.Integer(validate=ID_RANGE, **kwargs)  # type: ignore[arg-type]


class ErrorOut(Schema):
    """Every error of the API has this shape; `code` is stable for programs, `message` is for people."""

    status = fields.Integer(required=True, metadata={"description": "HTTP status"})
    code = fields.String(required=True, metadata={"description": "stable error code, e.g. stale_version"})
    message = fields.String(required=True, metadata={"description": "in zh, or en with Accept-Language: en"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "per-field messages"})


class PageArgs(Schema):
    cursor = query_id(metadata={"description": "opaque: from the Link header of the previous page"})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
