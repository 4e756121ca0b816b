"""The dashboard: a unit sees its own figures, the office and leaders the whole plan's."""
from __future__ import annotations

from collections import Counter

from flask import Blueprint, Response
from flask_login import current_user, login_required

from ..clock import utcnow
from ..services.assessment import indicators, reporting_duty
from ..services.work import boards
from ..services.assessment.dashboard import dashboard
from . import charts
from ..settings import deadlines, settings
from .htmx import render

bp = Blueprint("dashboard", __name__)


@bp.route("/dashboard")
@login_required
def show() -> Response:
    plan_id = boards.default_plan_id()
    data = dashboard(actor=current_user, plan_id=plan_id, today=deadlines().today,
                     timezone=settings().timezone) if plan_id else None
    trends = {"done": charts.trend(data.trend, [w.done for w in data.trend]),
              "overdue": charts.trend(data.trend, [w.overdue for w in data.trend])} if data else None
    missed = {unit_id: n for unit_id, _name, n in reporting_duty.unit_totals(actor=current_user)}
    year = indicators.period_of(indicators.year_in_view(deadlines().today))
    figures = Counter(o.state for o in indicators.outcomes_for(actor=current_user, start=year.start, end=year.end,
                                                               now=utcnow()))
    return render("dashboard/page.html", data=data, bar=charts.bar, trends=trends, bar_width=charts.BAR_WIDTH,
                  figures=figures, figures_year=year.key, states=indicators.STATES, missed=missed)
