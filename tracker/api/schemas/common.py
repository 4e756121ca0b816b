"""Shared fields and the error shape."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

MAX_ID = 2**31 - 1
ID_RANGE = validate.Range(min=1, max=MAX_ID)


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
