"""Periodic reporting (定期报送): the rhythms in force (set here by the office) and the reports units missed."""
from __future__ import annotations

from flask import Blueprint, Response, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..api.schemas.reporting import MissedQueryArgs
from ..clock import utcnow
from ..models import ReportFrequency
from ..services import boards, permissions, plans, reporting_duty, reporting_rhythms
from ..services.reporting_rhythms import FREQUENCY_LABELS
from . import forms, schemas
from .access import office_only
from .helpers import unit_options
from .htmx import render
from .i18n import pick

bp = Blueprint("periodic", __name__, url_prefix="/reporting")


@bp.route("/")
@login_required
def show() -> Response:
    args = forms.query(MissedQueryArgs())
    plan_id = boards.default_plan_id()
    plan = plans.get_plan(plan_id) if plan_id else None
    return render("reporting/page.html", args=args, plan=plan,
                  scopes=reporting_rhythms.scopes(plan) if plan else [],
                  rows=reporting_duty.listing(actor=current_user, **args),
                  totals=reporting_duty.unit_totals(actor=current_user, start=args.get("start"), end=args.get("end")),
                  unit_choices=unit_options(current_user) if permissions.sees_everything(current_user) else [],
                  frequencies=[(f.value, pick(label)) for f, label in FREQUENCY_LABELS.items()],
                  follow_plan=schemas.FOLLOW_PLAN, monthly=ReportFrequency.MONTHLY.value)


@bp.route("/rhythm", methods=["POST"])
@office_only
def set_rhythm() -> Response:
    data = forms.form(schemas.RhythmForm())
    scope = reporting_rhythms.set_rhythm(plans.get_plan(data["plan_id"]), actor=current_user,
                                         group_id=data["group_id"], frequency=data["frequency"], day=data["day"],
                                         now=utcnow())
    flash(_("Reporting rhythm of %(name)s: %(rhythm)s", name=scope.name, rhythm=scope.rhythm.describe()))
    return forms.finished(url_for("periodic.show") + "#rhythms")
