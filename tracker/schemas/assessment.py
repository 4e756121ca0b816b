"""Year-end assessment (年度考核): the year asked for, and the scores with their breakdown."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .common import TextInteger

YEAR = validate.Range(min=1900, max=2199, error="须为 1900 至 2199 之间的年份")


class AssessmentArgs(Schema):
    year = TextInteger(validate=YEAR, metadata={"description": "the year assessed; default: the current one"})


class FreezeIn(Schema):
    year = fields.Integer(strict=True, required=True, validate=YEAR)


class RuleScoreOut(Schema):
    kind = fields.String(required=True, metadata={"description": "done_on_time, urge, supervise, bulletin, ..."})
    label = fields.String(required=True)
    count = fields.Integer(required=True)
    points = fields.String(required=True, metadata={"description": "points per fact, a decimal as text"})
    subtotal = fields.String(required=True, metadata={"description": "signed and capped, a decimal as text"})


class FactOut(Schema):
    rule = fields.String(required=True)
    ref = fields.String(required=True, metadata={"description": "record, item or indicator: what id names"})
    id = fields.Integer(required=True)
    item_id = fields.Integer(required=True, allow_none=True, metadata={"description": "null for an indicator"})
    unit_id = fields.Integer(required=True)
    day = fields.String(required=True, metadata={"description": "the day of the fact, plan time zone, YYYY-MM-DD"})
    text = fields.String(required=True)
    detail = fields.String()
    period = fields.String(metadata={"description": "an indicator's or a reporting period: 2024, 2024-Q2, 2024-05"})
    href = fields.String(required=True, metadata={"description": "the web page showing the evidence"})


class UnitScoreOut(Schema):
    unit_id = fields.Integer(required=True)
    unit_name = fields.String(required=True)
    rank = fields.Integer(required=True)
    score = fields.String(required=True, metadata={"description": "a decimal as text, e.g. 97.5"})
    rules = fields.List(fields.Nested(RuleScoreOut), required=True)
    facts = fields.List(fields.Nested(FactOut), required=True)
    awaited = fields.Integer(metadata={"description": "indicator figures missing but not yet due: not deducted"})


class FrozenOut(Schema):
    at = fields.String(required=True)
    by = fields.String(required=True)


class AssessmentOut(Schema):
    year = fields.Integer(required=True)
    plan = fields.Dict(required=True)
    rubric = fields.Dict(required=True, metadata={"description": "the rubric scored by: version, hash, rules"})
    ranked = fields.Integer(required=True, metadata={"description": "how many units were ranked"})
    years = fields.List(fields.Integer(), required=True, metadata={"description": "the plan's years"})
    frozen = fields.Nested(FrozenOut, allow_none=True, metadata={"description": "null until the office froze it"})
    as_of = fields.String(metadata={"description": "the day the scores were computed for, YYYY-MM-DD"})
    figures_due_until = fields.String(metadata={"description": "the last day units report the year's indicator "
                                                                "figures (the indicators' due_days after the year)"})
    final_on = fields.String(metadata={"description": "the first day the result is final (the year's indicator "
                                                      "figures were due) and may be frozen"})
    provisional = fields.Boolean(metadata={"description": "true while the scores may still change by the rules"})
    units = fields.List(fields.Nested(UnitScoreOut), required=True,
                        metadata={"description": "every unit for the office and leaders; a unit's own only"})
