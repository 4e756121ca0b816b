"""Indicators (指标): target against actual per unit and period, each cell's history, a unit's report form and the
office's decision. Units see their own figures (and those of units below them); the office and leaders all."""
from __future__ import annotations

from collections import Counter

from flask import Blueprint, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..clock import utcnow
from ..services.assessment import indicator_reports, indicators
from ..services.plan import lookup
from ..schemas import page_forms
from . import forms, inplace
from .access import office_only, units_only
from ..settings import deadlines, storage
from .helpers import unit_options
from .htmx import render

bp = Blueprint("indicator_pages", __name__)


@bp.route("/indicators")
@login_required
def show() -> Response:
    args = forms.query(page_forms.IndicatorPageQuery())
    period = indicators.period_of(args.get("period") or indicators.year_in_view(deadlines().today))
    found = indicators.outcomes_for(actor=current_user, start=period.start, end=period.end, now=utcnow(),
                                    unit_ids=[args["unit"]] if "unit" in args else None,
                                    indicator_id=args.get("indicator"), task_number=args.get("task"))
    units = {u.id: u for u in indicators.all_units().values()}
    rows = indicators.sorted_for_people(indicators.in_state(found, args.get("state")),
                                        sort=args.get("sort", "period"))
    pending = indicator_reports.pending_reports(actor=current_user)
    definitions = {i.id: i for i in indicators.all_indicators()}
    return render("indicators/page.html", "indicators/_table.html", rows=rows, units=units, args=args,
                  period=period.key, counts=Counter(o.state for o in found), pending=pending,
                  definitions=definitions, years=_years(), states=indicators.STATES,
                  unit_choices=unit_options(current_user),
                  task_numbers=sorted({i.task.number for i in definitions.values() if i.task is not None}))


def _years() -> list[str]:
    span = indicators.plan_span()
    return [str(y) for y in range(span[0].year, span[1].year + 1)] if span else []


@bp.route("/indicators/<id:indicator_id>/history")
@login_required
def history(indicator_id: int) -> Response:
    """Every figure a unit reported for one period, with evidence and the office's decisions; the report form for
    the unit and the decision buttons for the office."""
    indicator = indicators.get_indicator(indicator_id)
    args = forms.query(page_forms.IndicatorHistoryQuery())
    unit = lookup.unit(args["unit"], field="unit")
    found = indicator_reports.cell(indicator, unit=unit, period=args["period"], actor=current_user, now=utcnow())
    return render("indicators/history.html", indicator=indicator, unit=unit, period=args["period"], cell=found)


@bp.route("/indicators/<id:indicator_id>/reports", methods=["POST"])
@units_only
def report(indicator_id: int) -> Response:
    indicator = indicators.get_indicator(indicator_id)
    data = forms.form(page_forms.IndicatorReportForm())
    created = indicator_reports.report(indicator, actor=current_user, period=data["period"], value=data["value"],
                                note=data["note"], files=data["files"], storage=storage(), now=utcnow())
    flash(_("Reported %(value)s%(measure)s for “%(name)s” %(period)s; the office will review it.",
            value=indicators.format_value(created.value), measure=indicator.measure, name=indicator.name,
            period=created.period))
    return forms.finished(url_for("indicator_pages.history", indicator_id=indicator.id, unit=created.unit_id,
                                  period=created.period))


@bp.route("/indicator-reports/<id:report_id>/decision", methods=["POST"])
@office_only
def decide(report_id: int) -> Response:
    """Accept or return a figure in place: from the queue of figures (a `next` given) the row is swapped out;
    from a figure's history the fresh history. A refusal is shown beside its form either way (web/inplace.py)."""
    found = indicator_reports.get_report(report_id, actor=current_user)
    history = url_for("indicator_pages.history", indicator_id=found.indicator_id, unit=found.unit_id,
                      period=found.period)
    queue = forms.local_url(request.form.get("next"), "")

    def decision() -> str:
        data = forms.form(page_forms.IndicatorDecisionForm())
        indicator_reports.decide(found, actor=current_user, decision=data["decision"], reason=data.get("reason"),
                          expected_version=data["version"], now=utcnow())
        names = {"unit": found.unit.name, "name": found.indicator.name, "period": found.period}
        return (_("Accepted: %(unit)s, “%(name)s” %(period)s.", **names) if data["decision"] == "accept" else
                _("Returned to %(unit)s: “%(name)s” %(period)s; the unit is told.", **names))
    return inplace.decide(decision, row=f"figure-{report_id}", back=queue or history, swap=bool(queue))
