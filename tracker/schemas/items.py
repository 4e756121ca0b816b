"""Work items (cards): what comes in, what goes out, how lists are filtered."""
from __future__ import annotations

import copy

from marshmallow import Schema, fields, validate
from webargs.fields import DelimitedList

from .. import limits
from ..models import EvidenceRule, ItemSource, ItemStatus, Priority
from ..services.work.boards import SORTS, SWIMLANES
from ..services.work.cards import CARD_FIELDS
from ..services.work.offers import ACTIONS
from ..services.work.workflow import REVIEW_DECISIONS, TRANSITIONS
from ..services.work.deadlines import Light
from .common import PageArgs, TextInteger, day_field, id_field, page_limit, text_field
from .filters import ItemFilterArgs


class CardFieldsArgs(Schema):
    card_fields = DelimitedList(
        fields.String(validate=validate.OneOf(CARD_FIELDS)), data_key="fields",
        validate=validate.Length(min=1, max=len(CARD_FIELDS)),
        metadata={"description": "comma-separated: cards carry only these (and id), e.g. "
                                 "`fields=title,status,due_date,light`"})


class WorkItemQueryArgs(ItemFilterArgs, CardFieldsArgs, PageArgs):
    limit = page_limit(50, most=1000)


class BoardQueryArgs(ItemFilterArgs, CardFieldsArgs):
    swimlanes = fields.String(validate=validate.OneOf(SWIMLANES))
    sort = fields.String(load_default="position", validate=validate.OneOf(SORTS), metadata={
        "description": "card order in each column: position (as arranged), urgency (overdue first, longest "
                       "overdue first, then by due date), due, priority, changed (last change first)"})
    limit = TextInteger(validate=validate.Range(min=1, max=10_000),
                           metadata={"description": "at most this many cards per column (counts stay whole)"})


class WorkItemIn(Schema):
    """The office creates one card per unit named."""

    task_id = id_field(required=True)
    phase_id = id_field(required=True)
    unit_ids = fields.List(id_field(), required=True, validate=validate.Length(min=1, max=500))
    title = text_field(required=True, min_length=1, max_length=limits.TITLE)
    description = text_field(load_default="", max_length=limits.DESCRIPTION)
    priority = fields.Enum(Priority, by_value=True, load_default=Priority.NORMAL)
    due_date = day_field(required=True)


class WorkItemPatch(Schema):
    title = text_field(min_length=1, max_length=limits.TITLE)
    description = text_field(max_length=limits.DESCRIPTION)
    priority = fields.Enum(Priority, by_value=True)
    due_date = day_field(metadata={"description": "a new due date; the original is kept; needs `reason`"})
    reason = text_field(max_length=limits.NOTE, metadata={"description": "why the due date moves"})
    version = id_field(metadata={"description": "the current version, unless sent as If-Match"})


class MoveIn(Schema):
    to = fields.Enum(ItemStatus, by_value=True, required=True)
    before = id_field(metadata={"description": "place the card just above this card"})
    after = id_field(metadata={"description": "place the card just below this card"})
    version = id_field(required=True)
    note = text_field(max_length=limits.NOTE, metadata={"description": "closing report when submitting"})


class ReviewIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(sorted(REVIEW_DECISIONS)))
    reason = text_field(max_length=limits.NOTE, metadata={"description": "required to return"})
    version = id_field(required=True)


class MoveOfferOut(Schema):
    to = fields.String(required=True, validate=validate.OneOf([status.value for status in ItemStatus]),
                       metadata={"description": "the column it may go to"})
    action = fields.String(required=True, validate=validate.OneOf([t.action for t in TRANSITIONS]),
                           metadata={"description": "sign 签收, submit 提交办结, approve 审核办结, return 退回"})
    note = fields.String(allow_none=True, required=True, validate=validate.OneOf(["report", "reason"]),
                         metadata={"description": "words the move needs (`note` of POST /items/{id}/move): a "
                                                  "closing report, or the reason for a return; null: none"})
    evidence = fields.String(allow_none=True, required=True, validate=validate.OneOf([r.value for r in EvidenceRule]),
                           metadata={"description": "a submission's evidence files: `required` (refused while the "
                                                    "item has none), `asked` (taken, marked for the office); null "
                                                    "for other moves"})


class CardOffersOut(Schema):
    """What the caller may do with a card, answered by the rules its moves are checked by."""

    moves = fields.List(fields.Nested(MoveOfferOut), required=True,
                        metadata={"description": "the columns the caller may move the card to, from its own"})
    reorder = fields.Boolean(required=True, metadata={"description": "may move it within its column"})


class OffersOut(CardOffersOut):
    actions = fields.List(fields.String(validate=validate.OneOf(ACTIONS)), required=True, metadata={
        "description": "what else the caller may do now: progress (POST /items/{id}/updates), answer (a 督办 "
                       "notice, POST /records/{id}/answer), ask_extension, decide_extension, contest (POST "
                       "/items/{id}/contests), decide_contest (POST /contests/{id}/decision), mark_part, name_person, split, "
                       "edit (PATCH), set_units, cancel, instruct, comment"})


class CardOut(Schema):
    id = fields.Integer(required=True)
    plan_id = fields.Integer(required=True)
    phase_id = fields.Integer(required=True)
    task_id = fields.Integer(allow_none=True, required=True, metadata={"description": "null for ad-hoc items"})
    task_number = fields.Integer(allow_none=True, required=True)
    group_id = fields.Integer(allow_none=True, required=True)
    unit_id = fields.Integer(required=True, metadata={"description": "the lead unit (牵头单位)"})
    unit_name = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Enum(ItemStatus, by_value=True, required=True)
    position = fields.Integer(required=True)
    priority = fields.Enum(Priority, by_value=True, required=True)
    due_date = fields.Date(allow_none=True, required=True)
    original_due_date = fields.Date(allow_none=True, required=True)
    version = fields.Integer(required=True)
    returned_count = fields.Integer(required=True)
    updated_at = fields.DateTime(required=True)
    light = fields.Enum(Light, by_value=True, allow_none=True, required=True)
    days_overdue = fields.Integer(required=True)
    open_level = fields.String(allow_none=True, metadata={"description": "highest open record: 提醒/催办/督办/通报"})
    contested = fields.Boolean(required=True, metadata={
        "description": "a contest (异议, 退办) waits for the office's decision; the ladder's clock runs on"})
    parent_id = fields.Integer(allow_none=True, required=True, metadata={"description": "set on split items"})
    source = fields.Enum(ItemSource, by_value=True, allow_none=True, required=True)
    responsible_name = fields.String(allow_none=True, required=True)


class BoardCardOut(CardOut):
    my_part = fields.String(allow_none=True, required=True, validate=validate.OneOf(["lead", "cooperating"]),
                            metadata={"description": "the caller's unit leads the item or cooperates (配合)"})
    offers = fields.Nested(CardOffersOut, required=True, metadata={
        "description": "what the caller may do with the card: the columns it may go to and whether it may be "
                       "reordered (the item's own answer adds its other actions)"})


def _only_id_required(schema: type[Schema], name: str) -> type[Schema]:
    """The same fields, of which only `id` is required: a list or board asked for `fields` leaves out the rest."""
    found = {}
    for field_name, field in schema._declared_fields.items():
        found[field_name] = copy.copy(field)
        found[field_name].required = field_name == "id"
    return Schema.from_dict(found, name=name)


ListedCardOut = _only_id_required(BoardCardOut, "ListedCardOut")


class CooperatingPartOut(Schema):
    unit_id = fields.Integer(required=True)
    unit_name = fields.String(required=True)
    done = fields.Boolean(required=True)
    done_at = fields.DateTime(allow_none=True, required=True)
    note = fields.String(allow_none=True, required=True)


class ChildOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    unit_id = fields.Integer(required=True)
    unit_name = fields.String(required=True)
    status = fields.Enum(ItemStatus, by_value=True, required=True)
    due_date = fields.Date(allow_none=True, required=True)
    cancelled = fields.Boolean(required=True)
    light = fields.Enum(Light, by_value=True, allow_none=True, required=True)


class WorkItemOut(CardOut):
    description = fields.String(required=True)
    contest_closes = fields.Date(required=True, metadata={
        "description": "the last day a unit carrying the item may contest it (退办 / 异议, in working days)"})
    was_extended = fields.Boolean(required=True)
    last_return_reason = fields.String(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    submitted_at = fields.DateTime(allow_none=True, required=True)
    completed_at = fields.DateTime(allow_none=True, required=True)
    source_ref = fields.String(allow_none=True, required=True)
    responsible_user_id = fields.Integer(allow_none=True, required=True)
    contact_phone = fields.String(allow_none=True, required=True)
    cancelled_at = fields.DateTime(allow_none=True, required=True)
    cancel_reason = fields.String(allow_none=True, required=True)
    cooperating_units = fields.List(fields.Nested(CooperatingPartOut), required=True)
    children = fields.List(fields.Nested(ChildOut), required=True)
    offers = fields.Nested(OffersOut, required=True, metadata={
        "description": "what the caller may do with the item now, by the rules each action is checked by: a "
                       "client draws the same buttons the pages do"})


class ColumnOut(Schema):
    status = fields.Enum(ItemStatus, by_value=True, required=True)
    label = fields.String(required=True)
    label_en = fields.String(required=True)
    count = fields.Integer(required=True)


class BoardColumnOut(ColumnOut):
    cards = fields.List(fields.Nested(ListedCardOut), required=True)


class LaneOut(Schema):
    key = fields.Integer(allow_none=True, required=True)
    title = fields.String(allow_none=True, required=True)
    columns = fields.List(fields.Nested(BoardColumnOut), required=True)


class BoardOut(Schema):
    plan_id = fields.Integer(allow_none=True, required=True)
    swimlanes = fields.String(allow_none=True, required=True)
    limit = fields.Integer(allow_none=True, required=True)
    today = fields.Date(required=True)
    columns = fields.List(fields.Nested(ColumnOut), required=True, metadata={"description": "whole-board counts"})
    lanes = fields.List(fields.Nested(LaneOut), required=True)
