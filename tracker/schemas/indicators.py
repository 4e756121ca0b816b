"""Indicators, the figures units report against them, and their outcomes per unit and period."""
from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from .. import limits
from ..models import Direction, IndicatorPeriod, ReportStatus
from ..services.assessment.indicators import PERIOD_PATTERN, STATES, VALUE_PLACES
from .common import TextInteger, day_field, page_limit, page_offset, query_id, text_field
from .progress import EvidenceFile, StoredFileOut

PERIOD = validate.Regexp(PERIOD_PATTERN, error="须为年度(2024)或季度(2024-Q1)")
DECIMAL_TEXT = re.compile(rf"[0-9]{{1,10}}(\.[0-9]{{1,{VALUE_PLACES}}})?")


class FigureField(fields.Field):
    """A reported figure: a number from 0 with at most four decimals, from JSON (a number or its text) or from a
    form, written in ASCII digits. Decimal() alone would take "١٢", "1e3" or "NaN", which no one means."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValidationError("须为数字")
        text = value.strip() if isinstance(value, str) else repr(value)
        if not DECIMAL_TEXT.fullmatch(text):
            raise ValidationError(f"须为不小于 0 的数字,至多 {VALUE_PLACES} 位小数")
        return Decimal(text)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else format(Decimal(value).normalize(), "f")


def figure(*, metadata: dict[str, str] | None = None, **kwargs: Any) -> FigureField:
    return FigureField(metadata={"type": "string", "pattern": DECIMAL_TEXT.pattern,
                                 "description": "a decimal number as text, e.g. \"98.5\""} | (metadata or {}),
                       **kwargs)


class IndicatorQueryArgs(Schema):
    plan = query_id()
    task = TextInteger(validate=validate.Range(min=1, max=999), metadata={"description": "task number"})


class IndicatorOut(Schema):
    id = fields.Integer(required=True)
    plan_id = fields.Integer(required=True)
    key = fields.String(required=True)
    name = fields.String(required=True)
    task_number = fields.Integer(allow_none=True, required=True)
    measure = fields.String(required=True, metadata={"description": "unit of measure: 次, 学时, %, ..."})
    direction = fields.Enum(Direction, by_value=True, required=True,
                            metadata={"description": "at_least: actual ≥ target is met; at_most: actual ≤ target"})
    target = figure(allow_none=True, required=True,
                    metadata={"description": "null until the office sets the parameter it stands for"})
    target_parameter_id = fields.Integer(allow_none=True, required=True)
    period = fields.Enum(IndicatorPeriod, by_value=True, required=True)
    periods = fields.List(fields.String(), required=True, metadata={"description": "e.g. 2023, 2024 or 2024-Q1"})
    first_year = fields.Integer(allow_none=True, required=True)
    last_year = fields.Integer(allow_none=True, required=True)
    due_days = fields.Integer(required=True, metadata={"description": "days after a period's end its figure is due"})
    reporting_unit_ids = fields.List(fields.Integer(), required=True)
    text = fields.String(required=True, metadata={"description": "the plan's words"})


class OutcomeQueryArgs(Schema):
    start = day_field(metadata={"description": "periods ending on or after this day (default: the plans' start)"})
    end = day_field(metadata={"description": "periods ending on or before this day (default: the plans' end)"})
    unit = fields.List(query_id(), metadata={"description": "unit id; repeatable"})
    indicator = query_id()
    task = TextInteger(validate=validate.Range(min=1, max=999))
    state = fields.String(validate=validate.OneOf(STATES))


class OutcomeOut(Schema):
    indicator_id = fields.Integer(required=True)
    indicator_key = fields.String(required=True)
    indicator_name = fields.String(required=True)
    task_number = fields.Integer(allow_none=True, required=True)
    unit_id = fields.Integer(required=True)
    period = fields.String(required=True)
    period_end = fields.Date(required=True)
    due_on = fields.Date(required=True, metadata={"description": "the last day to report the figure"})
    state = fields.String(required=True, validate=validate.OneOf(STATES),
                          metadata={"description": "met, not_met, awaited (nothing reported, not yet due), "
                                                   "not_reported (nothing reported by due_on, or returned), pending "
                                                   "(awaiting the office) or no_target (the office has not set the "
                                                   "target)"})
    target = figure(allow_none=True, required=True)
    actual = figure(allow_none=True, required=True)
    report_id = fields.Integer(allow_none=True, required=True)


class ReportIn(Schema):
    period = fields.String(required=True, validate=PERIOD)
    value = figure(required=True)
    note = text_field(load_default="", max_length=limits.NOTE)
    files: fields.List[Any] = fields.List(EvidenceFile(), load_default=list,
                                          metadata={"description": "evidence: pdf, doc(x), xls(x), ppt(x), png, jpg"})


class ReportQueryArgs(Schema):
    unit = query_id()
    period = fields.String(validate=PERIOD)
    status = fields.Enum(ReportStatus, by_value=True)
    limit = page_limit(100, most=500)
    offset = page_offset()


class ReportDecisionIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["accept", "return"]))
    reason = text_field(max_length=limits.NOTE, metadata={"description": "required to return"})
    version = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1),
                             metadata={"description": "the report's version as read; 409 if it changed"})


class ReportAttachmentOut(StoredFileOut):
    """A report's evidence file, without the upload time evidence of progress shows (the report's own time says
    it); its own name in the OpenAPI document."""


class ReportOut(Schema):
    id = fields.Integer(required=True)
    indicator_id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True)
    period = fields.String(required=True)
    seq = fields.Integer(required=True, metadata={"description": "1 for the first report of the period, then 2..."})
    value = figure(required=True)
    note = fields.String(required=True)
    status = fields.Enum(ReportStatus, by_value=True, required=True)
    reported_by_id = fields.Integer(required=True)
    reported_at = fields.DateTime(required=True)
    decided_by_id = fields.Integer(allow_none=True, required=True)
    decided_at = fields.DateTime(allow_none=True, required=True)
    return_reason = fields.String(allow_none=True, required=True)
    version = fields.Integer(required=True)
    attachments = fields.List(fields.Nested(ReportAttachmentOut), required=True)
