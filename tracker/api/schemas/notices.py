"""Formal notices as PDF."""
from __future__ import annotations

from marshmallow import Schema

from .common import day_field


class NoticeDayArgs(Schema):
    day = day_field(required=True, metadata={"description": "the scan day, plan time zone, e.g. 2024-06-30"})
