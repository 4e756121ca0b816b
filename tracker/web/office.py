"""The office's workspace: assign work, review what units submitted, decide extensions, set the plan's "X"s.

Every view here is for the office; the services refuse anyone else (403), and the page itself says so first.
"""
from __future__ import annotations

from flask import Blueprint, Response, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..clock import utcnow
from ..extensions import db
from ..models import ItemStatus, Priority, WorkItem
from ..services import boards, extensions, instructions, items, lookup, permissions, plans, workflow, workspace
from . import forms
from .access import office_only
from .context import deadlines
from .helpers import unit_options
from .htmx import render
from .i18n import pick

bp = Blueprint("office", __name__, url_prefix="/office")
REVIEW = {"approve": ItemStatus.DONE, "return": ItemStatus.IN_PROGRESS}


@bp.route("/")
@office_only
def workspace_page() -> Response:
    plan_id = boards.default_plan_id()
    queue, _next = boards.list_items(boards.ItemFilters(plan_id=plan_id, status=(ItemStatus.SUBMITTED,)),
                                     actor=current_user, deadlines=deadlines(), after_id=None, limit=200)
    return render("office/page.html", plan=plans.get_plan(plan_id) if plan_id else None, queue=queue,
                  pending=workspace.pending_extensions(actor=current_user), unit_choices=unit_options(current_user),
                  proposals=instructions.pending_proposals(actor=current_user),
                  source_choices=[(source.value, pick(label)) for source, label in items.SOURCE_LABELS.items()])


@bp.route("/assign", methods=["POST"])
@office_only
def assign() -> Response:
    priority = request.form.get("priority", Priority.NORMAL)
    created = items.create_items(
        actor=current_user, task=lookup.task(forms.integer("task_id") or 0),
        phase=lookup.phase(forms.integer("phase_id") or 0), units=lookup.units(forms.integers("unit_ids")),
        title=forms.text("title", limit=200), due_date=forms.day("due_date"), now=utcnow(),
        description=forms.text("description"), priority=Priority(priority if priority in set(Priority) else "normal"))
    db.session.commit()
    flash(_("%(n)d work items assigned.", n=len(created)))
    return forms.finished(url_for("office.workspace_page"))


@bp.route("/review/<int(max=2147483647):item_id>", methods=["POST"])
@office_only
def review(item_id: int) -> Response:
    item = permissions.require_visible(current_user, db.session.get(WorkItem, item_id))
    decision = request.form.get("decision", "")
    workflow.move(item, actor=current_user, to=REVIEW.get(decision, ItemStatus.DONE),
                  expected_version=forms.integer("version") or 0, now=utcnow(), note=forms.text("reason") or None)
    db.session.commit()
    flash(_("Approved: %(title)s", title=item.title) if decision == "approve" else
          _("Returned: %(title)s", title=item.title))
    return forms.finished(url_for("office.workspace_page"))


@bp.route("/extensions/<int(max=2147483647):request_id>", methods=["POST"])
@office_only
def decide_extension(request_id: int) -> Response:
    extension = extensions.get_request(request_id, actor=current_user)
    extensions.decide(extension, actor=current_user, grant=request.form.get("decision") == "grant",
                      note=forms.text("note"), now=utcnow())
    db.session.commit()
    flash(_("Extension decided."))
    return forms.finished(url_for("office.workspace_page"))


@bp.route("/parameters", methods=["POST"])
@office_only
def set_parameters() -> Response:
    plan = plans.get_plan(forms.integer("plan_id") or 0)
    values: dict[int, str | None] = {int(key[6:]): value for key, value in request.form.items()
              if key.startswith("param-") and key[6:].isdigit() and int(key[6:]) < 2**31}
    changed = plans.set_parameters(plan, actor=current_user, values=values, now=utcnow())
    db.session.commit()
    flash(_("%(n)d parameters changed.", n=len(changed)))
    return forms.finished(url_for("office.workspace_page"))
