"""Leaders' instructions (批示) on items, 批示件 and what the office does with them, a leader's own list.

These handlers do not commit: the request's one commit point (tracker/transaction.py, landing on main) does.
"""
from __future__ import annotations

from typing import Any

from ..clock import utcnow
from flask import Response

from ..models import Instruction, InstructionProposal
from ..services.plan import lookup
from ..services.work import instructions
from .auth import actor
from .common import api_blueprint, errors, visible_item
from .items import item_response
from ..schemas.assignments import (
    InstructedOut,
    InstructionIn,
    InstructionOut,
    RequiredNoteIn,
    ProposalAssignIn,
    ProposalIn,
    ProposalOut,
)
from ..schemas.items import WorkItemOut

blp = api_blueprint("instructions", "Leaders' instructions (批示) and proposals (批示件)")


@blp.route("/items/<id:item_id>/instructions")
@blp.response(200, InstructionOut(many=True))
@errors(blp, 404)
def list_instructions(item_id: int) -> list[Instruction]:
    return [row for row, _name in instructions.instructions_on(visible_item(item_id))]


@blp.route("/items/<id:item_id>/instructions", methods=["POST"])
@blp.arguments(InstructionIn)
@blp.response(201, InstructionOut)
@errors(blp, 403, 404)
def instruct(data: dict[str, Any], item_id: int) -> Instruction:
    """Leaders only; immutable once written; the item's units are told."""
    return instructions.instruct(visible_item(item_id), actor=actor(), text=data["text"], now=utcnow())


@blp.route("/proposals", methods=["POST"])
@blp.arguments(ProposalIn)
@blp.response(201, ProposalOut)
@errors(blp, 403)
def propose(data: dict[str, Any]) -> InstructionProposal:
    """Leaders only: a 批示件 for the office to assign or file."""
    return instructions.propose(actor=actor(), title=data["title"], text=data["text"], due_date=data["due_date"],
                                now=utcnow())


@blp.route("/proposals")
@blp.response(200, ProposalOut(many=True))
@errors(blp, 403)
def pending_proposals() -> list[InstructionProposal]:
    """Office only: the 批示件 waiting for a decision."""
    return [proposal for proposal, _name in instructions.pending_proposals(actor=actor())]


@blp.route("/proposals/<id:proposal_id>/assign", methods=["POST"])
@blp.arguments(ProposalAssignIn)
@blp.response(201, WorkItemOut)
@errors(blp, 403, 404)
def assign_proposal(data: dict[str, Any], proposal_id: int) -> Response:
    """Office only: the 批示件 becomes an ad-hoc item (source 领导批示)."""
    proposal = instructions.get_proposal(proposal_id, actor=actor())
    item = instructions.assign_proposal(
        proposal, actor=actor(), plan=lookup.plan(data.get("plan_id")),
        lead=lookup.unit(data["lead_unit_id"], "lead_unit_id"),
        cooperating=lookup.units(data["cooperating_unit_ids"], "cooperating_unit_ids"), due_date=data["due_date"],
        source_ref=data.get("source_ref"), now=utcnow())
    return item_response(item, 201)


@blp.route("/proposals/<id:proposal_id>/file", methods=["POST"])
@blp.arguments(RequiredNoteIn)
@blp.response(200, ProposalOut)
@errors(blp, 403, 404)
def file_proposal(data: dict[str, Any], proposal_id: int) -> InstructionProposal:
    """Office only: file the 批示件 with a note, making no item."""
    proposal = instructions.get_proposal(proposal_id, actor=actor())
    return instructions.file_proposal(proposal, actor=actor(), note=data["note"], now=utcnow())


@blp.route("/me/instructed")
@blp.response(200, InstructedOut(many=True))
@errors(blp, 403)
def instructed() -> list[dict[str, Any]]:
    """Leaders: what I instructed or proposed, newest first, and where each stands. The office: every leader's
    (批示落实), with who instructed."""
    return [entry.as_dict() for entry in instructions.instructed_by(actor())]
