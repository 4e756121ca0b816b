"""Periodic reporting (定期报送): the rhythms in force (set here by the office) and the reports units missed."""
from __future__ import annotations

from flask import Blueprint, Response, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..schemas.reporting import MissedQueryArgs
from ..clock import utcnow
from ..models import ReportFrequency
from ..services.assessment import reporting_duty
from ..services.plan import plans, reporting_rhythms
from ..services.trust import permissions
from ..services.work import boards
from ..services.plan.reporting_rhythms import FREQUENCY_LABELS
from ..schemas import page_forms
from . import forms
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
                  follow_plan=page_forms.FOLLOW_PLAN, monthly=ReportFrequency.MONTHLY.value)


@bp.route("/rhythm", methods=["POST"])
@office_only
def set_rhythm() -> Response:
    data = forms.form(page_forms.RhythmForm())
    scope = reporting_rhythms.set_rhythm(plans.get_plan(data["plan_id"]), actor=current_user,
                                         group_id=data["group_id"], frequency=data["frequency"], day=data["day"],
                                         now=utcnow())
    flash(_("Reporting rhythm of %(name)s: %(rhythm)s", name=scope.name, rhythm=scope.rhythm.describe()))
    return forms.finished(url_for("periodic.show") + "#rhythms")
