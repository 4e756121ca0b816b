"""The work shapes in the browser: a cooperating unit's part, the person responsible, splitting to
subordinate units, the supervisor's review and extension decisions on a child item, cancelling, the office's
corrections, leaders' instructions and 批示件, and the office's ad-hoc items.

Each view reads its form through the API's schema (schemas/page_forms.py), calls one service and goes back to the
page; the services hold the rules, the request's one commit point commits.
"""
from __future__ import annotations

from flask import Blueprint, Response, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..clock import utcnow
from ..database import outside_transaction
from ..models import Role, WorkItem
from ..services.io import exports, intake, unit_intake
from ..services.plan import lookup, wording
from ..services.work import assignment, contests, deadline_extensions, instructions, items, splitting
from ..schemas import page_forms
from ..settings import settings
from . import forms
from .access import changers_only, office_only, roles, units_only
from .htmx import render

bp = Blueprint("work", __name__)
ITEM = "/items/<id:item_id>"
leaders_only = roles(frozenset({Role.LEADER}))


def _visible(item_id: int) -> WorkItem:
    return items.get_visible(item_id, actor=current_user)


@bp.route(ITEM + "/part-done", methods=["POST"])
@units_only
def part_done(item_id: int) -> Response:
    item = _visible(item_id)
    data = forms.form(page_forms.NoteForm())
    assignment.mark_part_done(item, actor=current_user, note=data["note"], now=utcnow())
    return forms.back_to_item(item.id, _("Your unit's part is marked done."))


@bp.route(ITEM + "/responsible", methods=["POST"])
@changers_only
def set_responsible(item_id: int) -> Response:
    item = _visible(item_id)
    data = forms.form(page_forms.ResponsibleForm())
    assignment.set_responsible(item, actor=current_user, user_id=data["responsible_user_id"],
                               phone=data["contact_phone"], expected_version=data["version"], now=utcnow())
    return forms.back_to_item(item.id, _("Person responsible saved."))


@bp.route(ITEM + "/split", methods=["POST"])
@units_only
def split(item_id: int) -> Response:
    """One child per subordinate unit ticked, with its row's title and due date (else the parent's)."""
    item = _visible(item_id)
    data = forms.form(page_forms.SplitForm())
    parts = []
    for unit_id in data["unit_ids"]:
        row = data["rows"].get(unit_id, {})
        parts.append(splitting.Part(unit=lookup.unit(unit_id, "unit_ids"), title=row.get("title") or wording.title(item),
                                    due_date=row.get("due") or data["due_date"], description=data["description"]))
    splitting.split(item, actor=current_user, parts=parts, now=utcnow())
    return forms.back_to_item(item.id, _("Split into %(n)d items for the units below.", n=len(parts)))


@bp.route("/extensions/<id:request_id>/decide", methods=["POST"])
@changers_only
def decide_extension(request_id: int) -> Response:
    """The supervisor's decision, from the item page or the office's workspace (`next` says which to go back to):
    the one door for it."""
    extension = deadline_extensions.get_request(request_id, actor=current_user)
    data = forms.form(page_forms.DecisionForm())
    grant = deadline_extensions.DECISIONS[data["decision"]]
    deadline_extensions.decide(extension, actor=current_user, grant=grant, note=data.get("note"), now=utcnow())
    return forms.back_to_item(extension.item_id, _("Extension granted.") if grant else _("Extension refused."),
                              data.get("next"))


@bp.route(ITEM + "/contests", methods=["POST"])
@units_only
def contest(item_id: int) -> Response:
    """退办 / 异议: an admin of a unit carrying the item, inside the window (the service names the day it closed)."""
    item = _visible(item_id)
    data = forms.form(page_forms.ContestForm())
    contests.raise_contest(item, actor=current_user, reason=data["reason"], proposed_unit_id=data["proposed_unit_id"],
                           calendar=settings().calendar, now=utcnow())
    return forms.back_to_item(item.id, _("Contest sent to the office."))


@bp.route("/contests/<id:contest_id>/decide", methods=["POST"])
@office_only
def decide_contest(contest_id: int) -> Response:
    """The office upholds (reassigns) or rejects a contest, from the item page or 我的待办 (`next`)."""
    found = contests.get_contest(contest_id, actor=current_user)
    data = forms.form(page_forms.ContestDecisionForm())
    uphold = contests.DECISIONS[data["decision"]]
    contests.decide(found, actor=current_user, uphold=uphold, note=data["note"], expected_version=data["version"],
                    now=utcnow(), new_unit_id=data["new_unit_id"], new_due_date=data["new_due_date"])
    return forms.back_to_item(found.item_id, _("Contest upheld: the item is reassigned.") if uphold
                              else _("Contest rejected."), data.get("next"))


@bp.route(ITEM + "/cancel", methods=["POST"])
@changers_only
def cancel(item_id: int) -> Response:
    item = _visible(item_id)
    data = forms.form(page_forms.CancelForm())
    items.cancel_item(item, actor=current_user, reason=data["reason"], expected_version=data["version"],
                      now=utcnow())
    return forms.back_to_item(item.id, _("Item cancelled."))


@bp.route(ITEM + "/edit", methods=["POST"])
@office_only
def edit(item_id: int) -> Response:
    """The office corrects the wording, priority and due date (a new date needs a reason)."""
    item = _visible(item_id)
    data = forms.form(page_forms.EditForm())
    version, reason = data.pop("version"), data.pop("reason", None)
    items.edit_item(item, actor=current_user, changes=data, reason=reason, expected_version=version, now=utcnow())
    return forms.back_to_item(item.id, _("Changes saved."))


@bp.route(ITEM + "/units", methods=["POST"])
@changers_only
def set_units(item_id: int) -> Response:
    item = _visible(item_id)
    data = forms.form(page_forms.UnitsForm())
    assignment.set_units(item, actor=current_user, lead=lookup.unit(data["lead_unit_id"], "lead_unit_id"),
                         cooperating=lookup.units(data["cooperating_unit_ids"], "cooperating_unit_ids"),
                         expected_version=data["version"], now=utcnow())
    return forms.back_to_item(item.id, _("Lead and cooperating units saved."))


@bp.route(ITEM + "/instructions", methods=["POST"])
@leaders_only
def instruct(item_id: int) -> Response:
    item = _visible(item_id)
    data = forms.form(page_forms.InstructionForm())
    instructions.instruct(item, actor=current_user, text=data["text"], now=utcnow())
    return forms.back_to_item(item.id, _("Instruction recorded."))


@bp.route("/instructions")
@login_required  # who may follow 批示 is the service's rule (instructions.may_follow_instructions)
def instructed() -> Response:
    """A leader's page: what they instructed or proposed and where each stands, with a form for a new 批示件;
    the office's: every leader's 批示 and where each stands (批示落实)."""
    return render("instructions/page.html", "instructions/_list.html",
                  entries=instructions.instructed_by(current_user))


@bp.route("/instructions/proposals", methods=["POST"])
@leaders_only
def propose() -> Response:
    data = forms.form(page_forms.ProposalForm())
    instructions.propose(actor=current_user, title=data["title"], text=data["text"], due_date=data["due_date"],
                         now=utcnow())
    flash(_("Instruction sent to the office."))
    return forms.finished(url_for("work.instructed"))


@bp.route("/office/ad-hoc", methods=["POST"])
@office_only
def create_ad_hoc() -> Response:
    data = forms.form(page_forms.AdHocForm())
    item = items.create_ad_hoc(
        actor=current_user, plan=lookup.plan(data.get("plan_id")), source=data["source"],
        source_ref=data.get("source_ref"), title=data["title"], description=data["description"],
        due_date=data["due_date"], lead=lookup.unit(data["lead_unit_id"], "lead_unit_id"),
        cooperating=lookup.units(data["cooperating_unit_ids"], "cooperating_unit_ids"), priority=data["priority"],
        now=utcnow())
    return forms.back_to_item(item.id, _("Item created and assigned."))


@bp.route("/office/proposals/<id:proposal_id>/assign", methods=["POST"])
@office_only
def assign_proposal(proposal_id: int) -> Response:
    proposal = instructions.get_proposal(proposal_id, actor=current_user)
    data = forms.form(page_forms.ProposalAssignForm())
    item = instructions.assign_proposal(
        proposal, actor=current_user, plan=lookup.plan(data.get("plan_id")),
        lead=lookup.unit(data["lead_unit_id"], "lead_unit_id"),
        cooperating=lookup.units(data["cooperating_unit_ids"], "cooperating_unit_ids"), due_date=data["due_date"],
        source_ref=data.get("source_ref"), now=utcnow())
    return forms.back_to_item(item.id, _("Instruction assigned as a work item."))


@bp.route("/office/proposals/<id:proposal_id>/file", methods=["POST"])
@office_only
def file_proposal(proposal_id: int) -> Response:
    proposal = instructions.get_proposal(proposal_id, actor=current_user)
    data = forms.form(page_forms.NoteForm())
    instructions.file_proposal(proposal, actor=current_user, note=data["note"], now=utcnow())
    flash(_("Instruction filed without a work item."))
    return forms.finished(url_for("office.workspace_page"))


@bp.route("/office/intake")
@office_only
def intake_page() -> Response:
    """Upload a 任务分解表: a dry run shows every row's outcome; the commit writes the whole file or nothing."""
    return render("office/intake.html", "office/_intake_report.html", report=None)


@bp.route("/office/intake", methods=["POST"])
@office_only
def intake_upload() -> Response:
    """The dry run always comes first, so a refused import shows every row's reason (422, nothing written)."""
    data = forms.form(page_forms.IntakeForm())
    units = data["sheet"] == "units"
    read = unit_intake.read_units if units else intake.read_rows
    rows = outside_transaction(lambda: read(data["file"].stream))
    if units:
        def run(commit: bool) -> intake.IntakeReport:
            return unit_intake.import_units(rows, actor=current_user, commit=commit, now=utcnow())
    else:
        plan = lookup.plan(None)

        def run(commit: bool) -> intake.IntakeReport:
            return intake.import_tasks(rows, actor=current_user, plan=plan, commit=commit, now=utcnow())
    report = run(False)
    if data["commit"] and not report.count("refused"):
        report = run(True)
    response = render("office/intake.html", "office/_intake_report.html", report=report)
    if data["commit"] and not report.committed:
        response.status_code = 422
    return response


@bp.route("/office/intake/<any(tasks, units):sheet>-template.xlsx")
@office_only
def intake_template(sheet: str) -> Response:
    body = intake.template() if sheet == "tasks" else unit_intake.unit_template()
    response = Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response.headers["Content-Disposition"] = exports.content_disposition(*intake.TEMPLATE_NAMES[sheet])
    return response
