"""The office's workspace: assign work, review what units submitted, decide extensions, close answered 督办
records (待核销), set the plan's "X"s.

Every view here is for the office; the services refuse anyone else (403), and the page itself says so first.
"""
from __future__ import annotations

from flask import Blueprint, Response, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..clock import utcnow
from ..models import ItemStatus, RecordStatus
from ..services import (boards, extensions, instructions, items, ledger, lookup, plans, records, workflow, workspace,
                        wording)
from . import forms, inplace, schemas
from .access import office_only
from .context import deadlines
from .helpers import unit_options
from .htmx import render
from .i18n import pick

bp = Blueprint("office", __name__, url_prefix="/office")


@bp.route("/")
@office_only
def workspace_page() -> Response:
    plan_id = boards.default_plan_id()
    queue, _next = boards.list_items(boards.ItemFilters(plan_id=plan_id, status=(ItemStatus.SUBMITTED,)),
                                     actor=current_user, deadlines=deadlines(), after_id=None, limit=200)
    to_close, _total = ledger.ledger(records.RecordFilters(status=RecordStatus.ANSWERED), actor=current_user,
                                     limit=200)
    return render("office/page.html", plan=plans.get_plan(plan_id) if plan_id else None, queue=queue,
                  review=workspace.review_files([c["id"] for c in queue], actor=current_user),
                  pending=workspace.pending_extensions(actor=current_user), unit_choices=unit_options(current_user),
                  to_close=to_close, proposals=instructions.pending_proposals(actor=current_user),
                  source_choices=[(source.value, pick(label)) for source, label in items.SOURCE_LABELS.items()])


@bp.route("/assign", methods=["POST"])
@office_only
def assign() -> Response:
    data = forms.form(schemas.AssignForm())
    created = items.create_items(
        actor=current_user, task=lookup.task(data["task_id"]), phase=lookup.phase(data["phase_id"]),
        units=lookup.units(data["unit_ids"]), title=data["title"], due_date=data["due_date"], now=utcnow(),
        description=data["description"], priority=data["priority"])
    flash(_("%(n)d work items assigned.", n=len(created)))
    return forms.finished(url_for("office.workspace_page"))


@bp.route("/review/<id:item_id>", methods=["POST"])
@office_only
def review(item_id: int) -> Response:
    """Approve or return in place: the row is swapped out, a refusal shown beside its form (web/inplace.py)."""
    def decision() -> str:
        item = items.get_visible(item_id, actor=current_user)
        data = forms.form(schemas.ReviewForm())
        workflow.review(item, actor=current_user, decision=data["decision"], expected_version=data["version"],
                        now=utcnow(), reason=data.get("reason"))
        return (_("Approved: %(title)s", title=wording.title(item)) if item.status == ItemStatus.DONE else
                _("Returned: %(title)s", title=wording.title(item)))
    return inplace.decide(decision, row=f"review-{item_id}", back=url_for("office.workspace_page"))


@bp.route("/extensions/<id:request_id>", methods=["POST"])
@office_only
def decide_extension(request_id: int) -> Response:
    extension = extensions.get_request(request_id, actor=current_user)
    data = forms.form(schemas.DecisionForm())
    extensions.decide(extension, actor=current_user, grant=extensions.DECISIONS[data["decision"]],
                      note=data.get("note"), now=utcnow())
    flash(_("Extension decided."))
    return forms.finished(url_for("office.workspace_page"))


@bp.route("/parameters", methods=["POST"])
@office_only
def set_parameters() -> Response:
    data = forms.form(schemas.ParametersForm())
    plan = plans.get_plan(data["plan_id"])
    values: dict[int, str | None] = {key: value or None for key, value in data["values"].items()}
    changed = plans.set_parameters(plan, actor=current_user, values=values, now=utcnow())
    flash(_("%(n)d parameters changed.", n=len(changed)))
    return forms.finished(url_for("office.workspace_page"))
