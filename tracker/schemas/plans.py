"""Plans, their structure and parameters; units."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .. import limits
from ..models import PhaseSource
from .common import id_field, text_field


class ParameterOut(Schema):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    label = fields.String(required=True)
    unit_label = fields.String(required=True)
    value = fields.String(allow_none=True, required=True)


class TaskOut(Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    title = fields.String(required=True)
    lead_unit_id = fields.Integer(allow_none=True, required=True)
    parameters = fields.List(fields.Nested(ParameterOut), required=True)


class GroupOut(Schema):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    seq = fields.Integer(required=True)
    title = fields.String(required=True)
    tasks = fields.List(fields.Nested(TaskOut), required=True)


class PhaseOut(Schema):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    seq = fields.Integer(required=True)
    name = fields.String(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    source = fields.Enum(PhaseSource, by_value=True, required=True)


class PlanOut(Schema):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    title = fields.String(required=True)
    short_title = fields.String(required=True)
    timezone = fields.String(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    contest_days = fields.Integer(required=True, metadata={
        "description": "退办 / 异议: working days after an assignment within which a unit may contest it"})


class PlanDetailOut(PlanOut):
    phases = fields.List(fields.Nested(PhaseOut), required=True)
    groups = fields.List(fields.Nested(GroupOut), required=True)


class ParameterValueIn(Schema):
    id = id_field(required=True)
    value = text_field(required=True, allow_none=True, max_length=limits.PARAMETER_VALUE)


class ParametersIn(Schema):
    parameters = fields.List(fields.Nested(ParameterValueIn), required=True,
                             validate=validate.Length(min=1, max=500))


class UnitOut(Schema):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    name = fields.String(required=True)
    short_name = fields.String(required=True)
    kind = fields.String(required=True)
    parent_id = fields.Integer(allow_none=True, required=True)
    children = fields.List(fields.Nested(lambda: UnitOut()), required=True)
