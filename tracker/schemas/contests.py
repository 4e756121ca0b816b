"""退办 / 异议: a unit contests an item it was given; the office upholds (reassigns) or rejects it. The page forms
read these same schemas (page_forms.ContestForm, ContestDecisionForm)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .. import limits
from ..models import ContestStatus
from ..services.work.contests import DECISIONS
from .common import day_field, id_field, page_limit, query_id, text_field


class ContestIn(Schema):
    reason = text_field(required=True, min_length=1, max_length=limits.NOTE, metadata={"description": "why; required"})
    proposed_unit_id = id_field(allow_none=True, load_default=None,
                                metadata={"description": "the unit the contesting unit believes responsible"})


class ContestDecisionIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(sorted(DECISIONS)))
    note = text_field(required=True, min_length=1, max_length=limits.NOTE, metadata={"description": "why; required"})
    new_unit_id = id_field(allow_none=True, load_default=None,
                           metadata={"description": "upheld: the unit that takes the item (default: the one named)"})
    new_due_date = day_field(allow_none=True, load_default=None,
                             metadata={"description": "upheld: a new due date (default: kept)"})
    version = id_field(required=True, metadata={"description": "the item's current version"})


class ContestQueryArgs(Schema):
    status = fields.Enum(ContestStatus, by_value=True)
    cursor = query_id(metadata={"description": "opaque: from the Link header of the previous page"})
    limit = page_limit(100, most=500)


class ContestOut(Schema):
    id = fields.Integer(required=True)
    item_id = fields.Integer(required=True)
    unit_id = fields.Integer(required=True, metadata={"description": "the contesting unit"})
    proposed_unit_id = fields.Integer(allow_none=True, required=True)
    reason = fields.String(required=True)
    raised_by_id = fields.Integer(required=True)
    raised_at = fields.DateTime(required=True)
    status = fields.Enum(ContestStatus, by_value=True, required=True)
    decided_by_id = fields.Integer(allow_none=True, required=True)
    decided_at = fields.DateTime(allow_none=True, required=True)
    decision_note = fields.String(allow_none=True, required=True)
    new_unit_id = fields.Integer(allow_none=True, required=True)
    new_due_date = fields.Date(allow_none=True, required=True)
