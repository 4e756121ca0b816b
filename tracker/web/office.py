"""The office's workspace: assign work, review what units submitted, decide extensions, close answered 督办
records (待核销), set the plan's "X"s.

Every view here is for the office; the services refuse anyone else (403), and the page itself says so first.
"""
from __future__ import annotations

from flask import Blueprint, Response, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..clock import utcnow
from ..models import RecordStatus
from ..services.ledger import ledger_table, records
from ..services.plan import lookup, plans
from ..services.plan.event_words import SOURCE_LABELS
from ..services.work import boards, instructions, items, workspace
from ..schemas import page_forms
from . import forms
from .access import office_only
from .helpers import unit_options
from .htmx import render
from .i18n import pick
from .review import queue_of

bp = Blueprint("office", __name__, url_prefix="/office")


@bp.route("/")
@office_only
def workspace_page() -> Response:
    plan_id = boards.default_plan_id()
    queue, files = queue_of(current_user)
    to_close, _total = ledger_table.ledger(records.RecordFilters(status=RecordStatus.ANSWERED), actor=current_user,
                                     limit=200)
    return render("office/page.html", plan=plans.get_plan(plan_id) if plan_id else None, queue=queue,
                  review=files, children_waiting=workspace.children_waiting(actor=current_user),
                  pending=workspace.pending_extensions(actor=current_user), unit_choices=unit_options(current_user),
                  to_close=to_close, proposals=instructions.pending_proposals(actor=current_user),
                  source_choices=[(source.value, pick(label)) for source, label in SOURCE_LABELS.items()])


@bp.route("/assign", methods=["POST"])
@office_only
def assign() -> Response:
    data = forms.form(page_forms.AssignForm())
    created = items.create_items(
        actor=current_user, task=lookup.task(data["task_id"]), phase=lookup.phase(data["phase_id"]),
        units=lookup.units(data["unit_ids"]), title=data["title"], due_date=data["due_date"], now=utcnow(),
        description=data["description"], priority=data["priority"])
    flash(_("%(n)d work items assigned.", n=len(created)))
    return forms.finished(url_for("office.workspace_page"))


@bp.route("/parameters", methods=["POST"])
@office_only
def set_parameters() -> Response:
    data = forms.form(page_forms.ParametersForm())
    plan = plans.get_plan(data["plan_id"])
    values: dict[int, str | None] = {key: value or None for key, value in data["values"].items()}
    changed = plans.set_parameters(plan, actor=current_user, values=values, now=utcnow())
    flash(_("%(n)d parameters changed.", n=len(changed)))
    return forms.finished(url_for("office.workspace_page"))
