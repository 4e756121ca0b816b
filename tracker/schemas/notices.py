"""Formal notices as PDF."""
from __future__ import annotations

from marshmallow import Schema, validate

from .common import TextInteger, day_field


class NoticeDayArgs(Schema):
    day = day_field(required=True, metadata={"description": "the scan day, plan time zone, e.g. 2024-06-30"})
    part = TextInteger(load_default=None, validate=validate.Range(min=1, max=100_000), metadata={
        "description": "which part of the day's notices, 100 to a part, from 1 (the default; X-Part-Count says "
                       "how many)"})
