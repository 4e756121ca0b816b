"""Ad-hoc items, lead and cooperating units, the person responsible, parts, splitting, cancelling,
instructions and 批示件."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .. import limits
from ..models import ItemSource, Priority, ProposalStatus
from .common import day_field, id_field, text_field
from .progress import EvidenceFile

REASON = {"description": "why; required"}


class AdHocItemIn(Schema):
    """The office assigns work from outside the plan (交办件)."""

    plan_id = id_field(metadata={"description": "default: the latest plan"})
    source = fields.Enum(ItemSource, by_value=True, required=True)
    source_ref = text_field(max_length=limits.SOURCE_REF, metadata={"description": "document number, or meeting and date"})
    title = text_field(required=True, min_length=1, max_length=limits.TITLE)
    description = text_field(load_default="", max_length=limits.DESCRIPTION, metadata={"description": "requirements"})
    due_date = day_field(required=True)
    lead_unit_id = id_field(required=True)
    cooperating_unit_ids = fields.List(id_field(), load_default=list, validate=validate.Length(max=100))
    priority = fields.Enum(Priority, by_value=True, load_default=Priority.NORMAL)


class UnitsIn(Schema):
    lead_unit_id = id_field(required=True)
    cooperating_unit_ids = fields.List(id_field(), required=True, validate=validate.Length(max=100))
    version = id_field(required=True)


class ResponsibleIn(Schema):
    responsible_user_id = id_field(allow_none=True, required=True)
    contact_phone = text_field(max_length=limits.CONTACT_PHONE, allow_none=True, load_default=None)
    version = id_field(required=True)


class RequiredNoteIn(Schema):
    note = text_field(required=True, min_length=1, max_length=limits.NOTE)


class CancelIn(Schema):
    reason = text_field(required=True, min_length=1, max_length=limits.NOTE, metadata=REASON)
    version = id_field(required=True)


class SplitPartIn(Schema):
    unit_id = id_field(required=True)
    title = text_field(required=True, min_length=1, max_length=limits.TITLE)
    description = text_field(load_default="", max_length=limits.DESCRIPTION)
    due_date = day_field(required=True)


class SplitIn(Schema):
    parts = fields.List(fields.Nested(SplitPartIn), required=True, validate=validate.Length(min=1, max=200))


class InstructionIn(Schema):
    text = text_field(required=True, min_length=1, max_length=limits.INSTRUCTION)


class InstructionOut(Schema):
    id = fields.Integer(required=True)
    item_id = fields.Integer(required=True)
    author_id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    text = fields.String(required=True)


class ProposalIn(Schema):
    title = text_field(required=True, min_length=1, max_length=limits.TITLE)
    text = text_field(required=True, min_length=1, max_length=limits.INSTRUCTION)
    due_date = day_field(allow_none=True, load_default=None)


class ProposalOut(Schema):
    id = fields.Integer(required=True)
    author_id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    title = fields.String(required=True)
    text = fields.String(required=True)
    due_date = fields.Date(allow_none=True, required=True)
    status = fields.Enum(ProposalStatus, by_value=True, required=True)
    handled_note = fields.String(allow_none=True, required=True)
    item_id = fields.Integer(allow_none=True, required=True)


class ProposalAssignIn(Schema):
    plan_id = id_field(metadata={"description": "default: the latest plan"})
    lead_unit_id = id_field(required=True)
    cooperating_unit_ids = fields.List(id_field(), load_default=list, validate=validate.Length(max=100))
    due_date = day_field(required=True)
    source_ref = text_field(max_length=limits.SOURCE_REF)


class InstructedOut(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["instruction", "proposal"]))
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    text = fields.String(required=True)
    item_id = fields.Integer(allow_none=True, required=True)
    item_title = fields.String(allow_none=True, required=True)
    item_status = fields.String(allow_none=True, required=True)
    proposal_status = fields.String(allow_none=True, required=True)
    author = fields.String(required=True, metadata={"description": "the leader who instructed"})


class IntakeIn(Schema):
    file = EvidenceFile(required=True, metadata={"description": "the 任务分解表 as XLSX"})
    commit = fields.Boolean(load_default=False,
                            metadata={"description": "false: a dry run; true: write every row, or none if any is "
                                                     "refused (422 naming the rows)"})


class IntakeRowOut(Schema):
    row = fields.Integer(required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    action = fields.String(required=True, validate=validate.OneOf(["created", "updated", "unchanged", "refused"]))
    reasons = fields.List(fields.String(), required=True)
    item_id = fields.Integer(allow_none=True, required=True)


class IntakeReportOut(Schema):
    committed = fields.Boolean(required=True)
    rows = fields.List(fields.Nested(IntakeRowOut), required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
