"""Plans: read by everyone signed in; the office sets the plan's parameters (its "X" values)."""
from __future__ import annotations

from typing import Any

from ..clock import utcnow
from ..models import Plan
from ..services.plan import plans
from .auth import actor
from .common import api_blueprint, errors
from ..schemas.plans import ParametersIn, PlanDetailOut, PlanOut

blp = api_blueprint("plans", "Plans, phases, task groups, tasks and their parameters")


@blp.route("/plans")
@blp.response(200, PlanOut(many=True))
@errors(blp)
def list_plans() -> list[Plan]:
    return plans.all_plans()


@blp.route("/plans/<id:plan_id>")
@blp.response(200, PlanDetailOut)
@errors(blp, 404)
def get_plan(plan_id: int) -> Plan:
    return plans.get_plan(plan_id)


@blp.route("/plans/<id:plan_id>/parameters", methods=["PATCH"])
@blp.arguments(ParametersIn)
@blp.response(200, PlanDetailOut)
@errors(blp, 403, 404)
def set_parameters(data: dict[str, Any], plan_id: int) -> Plan:
    """Office only; every id must be a parameter of this plan, or nothing is changed."""
    plan = plans.get_plan(plan_id)
    values = {entry["id"]: entry["value"] for entry in data["parameters"]}
    plans.set_parameters(plan, actor=actor(), values=values, now=utcnow())
    return plan
