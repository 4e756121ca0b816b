"""Who carries an item and how it is handed out: ad-hoc items, lead and cooperating units, the person
responsible, a cooperating unit's part, splitting to subordinate units, cancelling (撤销).

These handlers do not commit: the request's one commit point (tracker/transaction.py, landing on main) does.
"""
from __future__ import annotations

from typing import Any

from flask import Response

from ..clock import utcnow
from ..services.plan import lookup
from ..services.work import assignment, items, splitting
from .auth import actor
from .common import api_blueprint, errors, json_response, visible_item
from .items import item_json, item_response
from ..schemas.assignments import AdHocItemIn, CancelIn, RequiredNoteIn, ResponsibleIn, SplitIn, UnitsIn
from ..schemas.items import WorkItemOut

blp = api_blueprint("assignments", "Ad-hoc items, lead and cooperating units, person responsible, splitting")


@blp.route("/ad-hoc-items", methods=["POST"])
@blp.arguments(AdHocItemIn)
@blp.response(201, WorkItemOut)
@errors(blp, 403)
def create_ad_hoc(data: dict[str, Any]) -> Response:
    """Office only: an item outside the plan's tasks, with its source; on the boards as 交办事项."""
    item = items.create_ad_hoc(
        actor=actor(), plan=lookup.plan(data.get("plan_id")), source=data["source"],
        source_ref=data.get("source_ref"), title=data["title"], description=data["description"],
        due_date=data["due_date"], lead=lookup.unit(data["lead_unit_id"], "lead_unit_id"),
        cooperating=lookup.units(data["cooperating_unit_ids"], "cooperating_unit_ids"), priority=data["priority"],
        now=utcnow())
    return item_response(item, 201)


@blp.route("/items/<id:item_id>/units", methods=["PUT"])
@blp.arguments(UnitsIn)
@blp.response(200, WorkItemOut)
@errors(blp, 403, 404, 409)
def set_units(data: dict[str, Any], item_id: int) -> Response:
    """The office (for a sub-item, the unit that split it) changes the lead and cooperating units."""
    item = visible_item(item_id)
    assignment.set_units(item, actor=actor(), lead=lookup.unit(data["lead_unit_id"], "lead_unit_id"),
                         cooperating=lookup.units(data["cooperating_unit_ids"], "cooperating_unit_ids"),
                         expected_version=data["version"], now=utcnow())
    return item_response(item)


@blp.route("/items/<id:item_id>/responsible", methods=["PUT"])
@blp.arguments(ResponsibleIn)
@blp.response(200, WorkItemOut)
@errors(blp, 403, 404, 409)
def set_responsible(data: dict[str, Any], item_id: int) -> Response:
    """The lead unit's admin (or the office) names the person responsible and a contact phone."""
    item = visible_item(item_id)
    assignment.set_responsible(item, actor=actor(), user_id=data["responsible_user_id"],
                               phone=data["contact_phone"], expected_version=data["version"], now=utcnow())
    return item_response(item)


@blp.route("/items/<id:item_id>/part-done", methods=["POST"])
@blp.arguments(RequiredNoteIn)
@blp.response(200, WorkItemOut)
@errors(blp, 403, 404)
def part_done(data: dict[str, Any], item_id: int) -> Response:
    """A cooperating unit's admin marks its part done, with a note."""
    item = visible_item(item_id)
    assignment.mark_part_done(item, actor=actor(), note=data["note"], now=utcnow())
    return item_response(item)


@blp.route("/items/<id:item_id>/split", methods=["POST"])
@blp.arguments(SplitIn)
@blp.response(201, WorkItemOut(many=True))
@errors(blp, 403, 404)
def split(data: dict[str, Any], item_id: int) -> Response:
    """The lead unit's admin splits the item among its subordinate units (二次分解)."""
    item = visible_item(item_id)
    parts = [splitting.Part(unit=lookup.unit(part["unit_id"], f"parts.{index}.unit_id"), title=part["title"],
                            due_date=part["due_date"], description=part["description"])
             for index, part in enumerate(data["parts"])]
    children = splitting.split(item, actor=actor(), parts=parts, now=utcnow())
    return json_response([item_json(child) for child in children], 201)


@blp.route("/items/<id:item_id>/cancel", methods=["POST"])
@blp.arguments(CancelIn)
@blp.response(200, WorkItemOut)
@errors(blp, 403, 404, 409)
def cancel(data: dict[str, Any], item_id: int) -> Response:
    """撤销 with a reason: the office, or for a sub-item the unit that split it. The item is kept."""
    item = visible_item(item_id)
    items.cancel_item(item, actor=actor(), reason=data["reason"], expected_version=data["version"], now=utcnow())
    return item_response(item)
