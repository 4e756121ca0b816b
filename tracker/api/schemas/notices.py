"""Formal notices as PDF."""
from __future__ import annotations

from marshmallow import Schema, fields


class NoticeDayArgs(Schema):
    day = fields.Date(required=True, metadata={"description": "the scan day, plan time zone, e.g. 2024-06-30"})
