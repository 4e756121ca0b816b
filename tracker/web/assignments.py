"""The work shapes in the browser: a cooperating unit's part, the person responsible, splitting to
subordinate units, the supervisor's review and extension decisions on a child item, cancelling, the office's
corrections, leaders' instructions and 批示件, and the office's ad-hoc items.

Each view parses the form, calls one service and goes back to the page; the services hold the rules. The views
do not commit: the request's one commit point (tracker/transaction.py, landing on main) does.
"""
from __future__ import annotations

from typing import TypeVar

from flask import Blueprint, Response, request, url_for
from flask_login import current_user

from ..clock import utcnow
from ..errors import Invalid
from ..models import ItemSource, ItemStatus, Priority, Role
from ..services import assignment, extensions, instructions, items, lookup, splitting, workflow
from . import forms
from .access import changers_only, office_only, roles, units_only
from .htmx import render
from .items import visible_item

bp = Blueprint("work", __name__)
ITEM = "/items/<int(max=2147483647):item_id>"
leaders_only = roles(frozenset({Role.LEADER}))
E = TypeVar("E", ItemSource, Priority)
REVIEW = {"approve": ItemStatus.DONE, "return": ItemStatus.IN_PROGRESS}


def _back(item_id: int) -> Response:
    return forms.finished(url_for("cards.detail", item_id=item_id))


def _choice(name: str, enum: type[E], default: E | None = None) -> E:
    raw = request.form.get(name, "")
    if raw in set(enum):
        return enum(raw)
    if default is not None and not raw:
        return default
    raise Invalid("请从列表中选择", "Choose from the list", fields={name: ["无效的选项"]})


@bp.route(ITEM + "/part-done", methods=["POST"])
@units_only
def part_done(item_id: int) -> Response:
    item = visible_item(item_id)
    assignment.mark_part_done(item, actor=current_user, note=forms.text("note"), now=utcnow())
    return _back(item.id)


@bp.route(ITEM + "/responsible", methods=["POST"])
@changers_only
def set_responsible(item_id: int) -> Response:
    item = visible_item(item_id)
    assignment.set_responsible(item, actor=current_user, user_id=forms.integer("responsible_user_id", required=False),
                               phone=forms.text("contact_phone", limit=64), now=utcnow(),
                               expected_version=forms.integer("version") or 0)
    return _back(item.id)


@bp.route(ITEM + "/split", methods=["POST"])
@units_only
def split(item_id: int) -> Response:
    """One row per subordinate unit ticked, each with its title and due date (the parent's by default)."""
    item = visible_item(item_id)
    unit_ids = forms.integers("unit_ids")
    parts = [splitting.Part(unit=lookup.unit(unit_id, "unit_ids"),
                            title=forms.text(f"title-{unit_id}", limit=200) or item.title,
                            due_date=forms.day(f"due-{unit_id}") if request.form.get(f"due-{unit_id}")
                            else forms.day("due_date"),
                            description=forms.text("description"))
             for unit_id in unit_ids]
    splitting.split(item, actor=current_user, parts=parts, now=utcnow())
    return _back(item.id)


@bp.route(ITEM + "/review", methods=["POST"])
@changers_only
def review(item_id: int) -> Response:
    """The supervisor's review from the item page: the office, or a county on its township's item."""
    item = visible_item(item_id)
    decision = request.form.get("decision", "")
    if decision not in REVIEW:
        raise Invalid("请选择审核结果", "Choose approve or return", fields={"decision": ["无效"]})
    workflow.move(item, actor=current_user, to=REVIEW[decision], expected_version=forms.integer("version") or 0,
                  now=utcnow(), note=forms.text("reason") or None)
    return _back(item.id)


@bp.route("/extensions/<int(max=2147483647):request_id>/decide", methods=["POST"])
@changers_only
def decide_extension(request_id: int) -> Response:
    extension = extensions.get_request(request_id, actor=current_user)
    extensions.decide(extension, actor=current_user, grant=request.form.get("decision") == "grant",
                      note=forms.text("note"), now=utcnow())
    return _back(extension.item_id)


@bp.route(ITEM + "/cancel", methods=["POST"])
@changers_only
def cancel(item_id: int) -> Response:
    item = visible_item(item_id)
    items.cancel_item(item, actor=current_user, reason=forms.text("reason"),
                      expected_version=forms.integer("version") or 0, now=utcnow())
    return _back(item.id)


@bp.route(ITEM + "/edit", methods=["POST"])
@office_only
def edit(item_id: int) -> Response:
    """The office corrects the wording, priority and due date (a new date needs a reason)."""
    item = visible_item(item_id)
    changes = {"title": forms.text("title", limit=200, required=True), "description": forms.text("description"),
               "priority": _choice("priority", Priority), "due_date": forms.day("due_date")}
    items.edit_item(item, actor=current_user, changes=changes, reason=forms.text("reason"),
                    expected_version=forms.integer("version") or 0, now=utcnow())
    return _back(item.id)


@bp.route(ITEM + "/units", methods=["POST"])
@changers_only
def set_units(item_id: int) -> Response:
    item = visible_item(item_id)
    assignment.set_units(item, actor=current_user, lead=lookup.unit(forms.integer("lead_unit_id") or 0,
                                                                     "lead_unit_id"),
                         cooperating=lookup.units(forms.integers("cooperating_unit_ids"), "cooperating_unit_ids"),
                         expected_version=forms.integer("version") or 0, now=utcnow())
    return _back(item.id)


@bp.route(ITEM + "/instructions", methods=["POST"])
@leaders_only
def instruct(item_id: int) -> Response:
    item = visible_item(item_id)
    instructions.instruct(item, actor=current_user, text=forms.text("text", limit=5_000), now=utcnow())
    return _back(item.id)


@bp.route("/instructions")
@leaders_only
def instructed() -> Response:
    """A leader's page: what they instructed or proposed and where each stands; a form for a new 批示件."""
    return render("instructions/page.html", "instructions/_list.html",
                  entries=instructions.instructed_by(current_user))


@bp.route("/instructions/proposals", methods=["POST"])
@leaders_only
def propose() -> Response:
    due = forms.day("due_date") if request.form.get("due_date") else None
    instructions.propose(actor=current_user, title=forms.text("title", limit=200), text=forms.text("text"),
                         due_date=due, now=utcnow())
    return forms.finished(url_for("work.instructed"))


@bp.route("/office/ad-hoc", methods=["POST"])
@office_only
def create_ad_hoc() -> Response:
    item = items.create_ad_hoc(
        actor=current_user, plan=lookup.plan(forms.integer("plan_id", required=False)),
        source=_choice("source", ItemSource), source_ref=forms.text("source_ref", limit=200),
        title=forms.text("title", limit=200, required=True), description=forms.text("description"),
        due_date=forms.day("due_date"), lead=lookup.unit(forms.integer("lead_unit_id") or 0, "lead_unit_id"),
        cooperating=lookup.units(forms.integers("cooperating_unit_ids"), "cooperating_unit_ids"),
        priority=_choice("priority", Priority, Priority.NORMAL), now=utcnow())
    return _back(item.id)


@bp.route("/office/proposals/<int(max=2147483647):proposal_id>/assign", methods=["POST"])
@office_only
def assign_proposal(proposal_id: int) -> Response:
    proposal = instructions.get_proposal(proposal_id, actor=current_user)
    item = instructions.assign_proposal(
        proposal, actor=current_user, plan=lookup.plan(None),
        lead=lookup.unit(forms.integer("lead_unit_id") or 0, "lead_unit_id"),
        cooperating=lookup.units(forms.integers("cooperating_unit_ids"), "cooperating_unit_ids"),
        due_date=forms.day("due_date"), source_ref=forms.text("source_ref", limit=200), now=utcnow())
    return _back(item.id)


@bp.route("/office/proposals/<int(max=2147483647):proposal_id>/file", methods=["POST"])
@office_only
def file_proposal(proposal_id: int) -> Response:
    proposal = instructions.get_proposal(proposal_id, actor=current_user)
    instructions.file_proposal(proposal, actor=current_user, note=forms.text("note"), now=utcnow())
    return forms.finished(url_for("office.workspace_page"))

