"""Periodic reporting: the rhythm of each plan and task group (read by all, set by the office), and the
reports units missed (the office and leaders see all units', a unit its own)."""
from __future__ import annotations

from typing import Any

from ..clock import utcnow
from ..services.assessment import reporting_duty
from ..services.plan import plans, reporting_rhythms
from .auth import actor
from .common import api_blueprint, errors
from ..schemas.reporting import MissedOut, MissedQueryArgs, RhythmIn, RhythmOut

blp = api_blueprint("reporting", "Periodic reporting: rhythms (报送频次) and missed reports (未按时报送)")


@blp.route("/plans/<id:plan_id>/reporting-rhythms")
@blp.response(200, RhythmOut(many=True))
@errors(blp, 404)
def list_rhythms(plan_id: int) -> list[reporting_rhythms.Scope]:
    """The plan's own rhythm first, then each task group's (its own, or the plan's it follows)."""
    return reporting_rhythms.scopes(plans.get_plan(plan_id))


@blp.route("/plans/<id:plan_id>/reporting-rhythms", methods=["PUT"])
@blp.arguments(RhythmIn)
@blp.response(200, RhythmOut)
@errors(blp, 403, 404)
def set_rhythm(data: dict[str, Any], plan_id: int) -> reporting_rhythms.Scope:
    """Office only; audited. Applies from the next daily scan: periods already flagged stay as they are."""
    return reporting_rhythms.set_rhythm(plans.get_plan(plan_id), actor=actor(), group_id=data["group_id"],
                                        frequency=data["frequency"], day=data["day"], now=utcnow())


@blp.route("/missed-reports")
@blp.arguments(MissedQueryArgs, location="query")
@blp.response(200, MissedOut(many=True))
@errors(blp)
def list_missed(args: dict[str, Any]) -> list[reporting_duty.MissedRow]:
    """Latest deadline first; filter by unit, item and a range of deadlines."""
    return reporting_duty.listing(actor=actor(), **args)
