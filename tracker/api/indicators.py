"""Indicators (指标): their definitions, outcomes per unit and period, and the figures units report."""
from __future__ import annotations

from typing import Any

from ..clock import utcnow
from ..models import Indicator, IndicatorReport
from ..services.assessment import indicator_reports, indicators
from ..settings import storage
from .auth import actor
from .common import api_blueprint, errors
from .parsing import MULTIPART
from ..schemas.indicators import (
    IndicatorOut,
    IndicatorQueryArgs,
    OutcomeOut,
    OutcomeQueryArgs,
    ReportDecisionIn,
    ReportIn,
    ReportOut,
    ReportQueryArgs,
)

blp = api_blueprint("indicators", "Indicators (指标) and the figures units report")
REPORT_FIELDS = tuple(name for name in ReportOut().fields if name != "attachments")


def _indicator(indicator: Indicator, units: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": indicator.id, "plan_id": indicator.plan_id, "key": indicator.key, "name": indicator.name,
        "task_number": indicator.task.number if indicator.task is not None else None,
        "measure": indicator.measure, "direction": indicator.direction, "target": indicators.target_value(indicator),
        "target_parameter_id": indicator.target_parameter_id, "period": indicator.period,
        "periods": [p.key for p in indicators.indicator_periods(indicator)], "first_year": indicator.first_year,
        "last_year": indicator.last_year, "text": indicator.text, "due_days": indicator.due_days,
        "reporting_unit_ids": [u.id for u in indicators.reporting_units(indicator, units)],
    }


def _reports(reports: list[IndicatorReport]) -> list[dict[str, Any]]:
    files = indicator_reports.files_of(reports)
    return [{**{k: getattr(r, k) for k in REPORT_FIELDS}, "attachments": files.get(r.id, [])} for r in reports]


@blp.route("/indicators")
@blp.arguments(IndicatorQueryArgs, location="query")
@blp.response(200, IndicatorOut(many=True))
@errors(blp)
def list_indicators(args: dict[str, Any]) -> list[dict[str, Any]]:
    """Every indicator of the plans, in the plan file's order; any signed-in user reads them, as the plan."""
    units = indicators.all_units()
    return [_indicator(i, units) for i in indicators.all_indicators(plan_id=args.get("plan"))
            if "task" not in args or (i.task is not None and i.task.number == args["task"])]


@blp.route("/indicators/<id:indicator_id>")
@blp.response(200, IndicatorOut)
@errors(blp, 404)
def get_indicator(indicator_id: int) -> dict[str, Any]:
    return _indicator(indicators.get_indicator(indicator_id), indicators.all_units())


@blp.route("/indicators/outcomes")
@blp.arguments(OutcomeQueryArgs, location="query")
@blp.response(200, OutcomeOut(many=True))
@errors(blp)
def list_outcomes(args: dict[str, Any]) -> list[indicators.Outcome]:
    """Target against actual per unit and period (periods ending within start..end); a unit sees its own unit's
    and those of the units below it, the office and leaders everyone's."""
    span = indicators.plan_span()
    if span is None:
        return []
    return indicators.outcomes_for(actor=actor(), start=args.get("start", span[0]), end=args.get("end", span[1]),
                                   now=utcnow(),
                                   unit_ids=args.get("unit"), indicator_id=args.get("indicator"),
                                   task_number=args.get("task"), state=args.get("state"))


@blp.route("/indicators/<id:indicator_id>/reports")
@blp.arguments(ReportQueryArgs, location="query")
@blp.response(200, ReportOut(many=True))
@errors(blp, 404)
def list_reports(args: dict[str, Any], indicator_id: int) -> list[dict[str, Any]]:
    """Every figure reported for the indicator (superseded and returned ones too), newest first."""
    indicator = indicators.get_indicator(indicator_id)
    return _reports(indicator_reports.reports_for(actor=actor(), indicator_id=indicator.id, unit_id=args.get("unit"),
                                           period=args.get("period"), status=args.get("status"),
                                           limit=args["limit"], offset=args["offset"]))


@blp.route("/indicators/<id:indicator_id>/reports", methods=["POST"])
@blp.arguments(ReportIn, location=MULTIPART)
@blp.response(201, ReportOut)
@errors(blp, 403, 404, 413)
def create_report(data: dict[str, Any], indicator_id: int) -> dict[str, Any]:
    """A reporting unit's figure for a period that has started, for the caller's own unit, with a note and
    evidence files (multipart); the office is told. Reporting again before the office decides supersedes."""
    indicator = indicators.get_indicator(indicator_id)
    created = indicator_reports.report(indicator, actor=actor(), period=data["period"], value=data["value"],
                                note=data["note"], files=data["files"], storage=storage(), now=utcnow())
    return _reports([created])[0]


@blp.route("/indicator-reports/<id:report_id>")
@blp.response(200, ReportOut)
@errors(blp, 404)
def get_report(report_id: int) -> dict[str, Any]:
    return _reports([indicator_reports.get_report(report_id, actor=actor())])[0]


@blp.route("/indicator-reports/<id:report_id>/decision", methods=["POST"])
@blp.arguments(ReportDecisionIn)
@blp.response(200, ReportOut)
@errors(blp, 403, 404, 409)
def decide(data: dict[str, Any], report_id: int) -> dict[str, Any]:
    """Office only: accept the figure, or return it with a reason (the unit is told and reports again)."""
    found = indicator_reports.get_report(report_id, actor=actor())
    indicator_reports.decide(found, actor=actor(), decision=data["decision"], reason=data.get("reason"),
                      expected_version=data["version"], now=utcnow())
    return _reports([found])[0]
