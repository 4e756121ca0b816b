"""Periodic reporting: rhythms (报送频次) and missed reports (未按时报送)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..models import ReportFrequency
from ..services.plan import glossary
from ..services.plan.reporting_rhythms import DAY_RANGE
from .common import TextInteger, day_field, id_field, page_limit, page_offset, query_id

REPORT_DAY = validate.Range(min=DAY_RANGE[0], max=DAY_RANGE[1], error="须为 1 至 28 之间的整数")


class RhythmIn(Schema):
    """The rhythm of the plan (no `group_id`) or of one task group; on a group, `frequency` null means it
    follows the plan again. `day` (1..28) is required for monthly and quarterly reports."""

    group_id = id_field(allow_none=True, load_default=None, metadata={"label": glossary.GROUP})
    frequency = fields.Enum(ReportFrequency, by_value=True, required=True, allow_none=True,
                            metadata={"label": ("报送频次", "Reporting rhythm")})
    day = TextInteger(allow_none=True, load_default=None, validate=REPORT_DAY,
                      metadata={"label": ("报送截止日", "Reporting day")})


class RhythmOut(Schema):
    plan_id = fields.Integer(required=True)
    group_id = fields.Integer(required=True, allow_none=True)
    name = fields.String(required=True, metadata={"description": "the plan's short title or the group's title"})
    frequency = fields.Function(lambda s: s.rhythm.frequency.value, required=True)
    day = fields.Function(lambda s: s.rhythm.day, required=True, allow_none=True)
    description = fields.Function(lambda s: s.rhythm.describe(), required=True)
    since = fields.Function(lambda s: s.rhythm.since.isoformat() if s.rhythm.since else None, required=True,
                            allow_none=True, metadata={"description": "the day it was set: earlier deadlines are "
                                                                      "not judged by it (null: the default)"})
    own = fields.Boolean(required=True, metadata={"description": "false: inherited from the plan or the default"})


class MissedQueryArgs(Schema):
    unit_id = query_id()
    item_id = query_id()
    start = day_field(metadata={"description": "deadlines on or after this day"})
    end = day_field(metadata={"description": "deadlines on or before this day"})
    limit = page_limit(200, most=1000)
    offset = page_offset()


class MissedOut(Schema):
    id = fields.Integer(required=True)
    item_id = fields.Integer(required=True)
    item_title = fields.String(required=True)
    task_number = fields.Integer(required=True, allow_none=True)
    unit_id = fields.Integer(required=True)
    unit_name = fields.String(required=True)
    period = fields.String(required=True, metadata={"description": "2024-05 (monthly) or 2024-Q2 (quarterly)"})
    due_on = fields.Date(required=True, metadata={"description": "the reporting deadline that passed"})
    flagged_at = fields.DateTime(required=True)
