"""Shared fields and the error shape."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

MAX_ID = 2**31 - 1
ID_RANGE = validate.Range(min=1, max=MAX_ID)


class PlainText(validate.Regexp):
    """The one text rule: no NUL or other control characters but tab and line breaks (PostgreSQL refuses NUL in
    text, a 500 otherwise), and no Unicode non-characters (U+FDD0-U+FDEF, U+FFFE, U+FFFF and their like in every
    plane: XML cannot carry U+FFFE/U+FFFF, so one of them made an issued 通报's Word file a 500 for good). None
    belongs in what a person writes. The pattern covers the Basic Multilingual Plane, so the OpenAPI document says
    it too; the other planes' non-characters (U+1FFFE ... U+10FFFF) are checked beside it, since a JSON Schema
    pattern cannot name them."""

    def __init__(self) -> None:
        super().__init__(r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufdd0-\ufdef\ufffe\uffff]*$",
                         error="不能包含控制字符或非字符(如 U+FFFE)")

    def __call__(self, value: str) -> str:  # type: ignore[override]  # text fields only: bytes never reach it
        value = super().__call__(value)
        if any(ord(char) > 0xFFFF and ord(char) & 0xFFFE == 0xFFFE for char in value):
            raise ValidationError(self.error)
        return value


NO_CONTROL = PlainText()


def text_field(*, min_length: int | None = None, max_length: int, **kwargs: Any) -> fields.String:
    """A string a person wrote, with a length limit, under the one text rule (PlainText)."""
    return fields.String(validate=[validate.Length(min=min_length, max=max_length), NO_CONTROL],
                         **kwargs)


# Dates people and programs may name: wide enough for any plan, narrow enough that date arithmetic (a day
# later, a week earlier) never leaves what Python and the databases can hold (9999-12-31 + 1 day was a 500).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)
DAY_RANGE_ERROR = "须在 1900-01-01 与 2199-12-31 之间"
DAY_RANGE = validate.Range(min=FIRST_DAY, max=LAST_DAY, error=DAY_RANGE_ERROR)
ASCII_DIGITS = re.compile(r"[0-9]{1,18}")


class TextInteger(fields.Integer):
    """An integer from JSON, or from form or query text written with ASCII digits only: `int()` would also take
    "١٢" or fullwidth digits, which no person means as an id or a version."""

    def _validated(self, value: Any) -> int:
        if isinstance(value, str) and not ASCII_DIGITS.fullmatch(value.strip()):
            raise self.make_error("invalid")
        number: int = super()._validated(value)
        return number


def day_field(**kwargs: Any) -> fields.Date:
    """A calendar day (YYYY-MM-DD) within DAY_RANGE."""
    return fields.Date(validate=DAY_RANGE, **kwargs)


def id_field(**kwargs: Any) -> fields.Integer:
    """An id as JSON gives it: a strict integer in the database's range (2**63 is a 422, not a 500)."""
    return fields.Integer(strict=True, validate=ID_RANGE, **kwargs)


def query_id(**kwargs: Any) -> fields.Integer:
    """An id from a query string or a form (text, so not strict: ASCII digits), in range."""
    return TextInteger(validate=ID_RANGE, **kwargs)


def page_limit(default: int, most: int) -> fields.Integer:
    """How many rows one page of a list holds: `default` unless asked, from 1 to `most`."""
    return TextInteger(load_default=default, validate=validate.Range(min=1, max=most))


def page_offset(most: int = 10_000_000) -> fields.Integer:
    """How many rows of a list to skip before the page: none unless asked, at most `most`."""
    return TextInteger(load_default=0, validate=validate.Range(min=0, max=most))


class UtcDateTime(fields.AwareDateTime):
    """An ISO 8601 moment, returned in UTC; one that UTC cannot hold (9999-12-31T23:59:59-14:00) is refused."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment = moment.astimezone(timezone.utc)
        except OverflowError:
            raise ValidationError("超出可表示的时间范围") from None
        if not FIRST_DAY <= moment.date() <= LAST_DAY:
            raise ValidationError(DAY_RANGE_ERROR)
        return moment


class ErrorOut(Schema):
    """Every error of the API has this shape; `code` is stable for programs, `message` is for people."""

    status = fields.Integer(required=True, metadata={"description": "HTTP status"})
    code = fields.String(required=True, metadata={"description": "stable error code, e.g. stale_version"})
    message = fields.String(required=True, metadata={"description": "in zh, or en with Accept-Language: en"})
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "per-field messages"})


class PageArgs(Schema):
    cursor = query_id(metadata={"description": "opaque: from the Link header of the previous page"})
    limit = page_limit(50, most=500)
