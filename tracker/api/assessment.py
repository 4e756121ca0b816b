"""Year-end assessment (年度考核): the year's scores, the office's freeze (定稿), the XLSX export."""
from __future__ import annotations

from typing import Any

from flask import Response

from ..clock import utcnow
from ..services.assessment import annual
from ..services.io import exports
from .auth import actor
from .common import api_blueprint, errors
from ..schemas.assessment import AssessmentArgs, AssessmentOut, FreezeIn
from ..settings import settings

blp = api_blueprint("assessments", "Year-end assessment (年度考核)")
XLSX_RESPONSE = {"200": {"description": "summary sheet and one sheet per unit", "content": {
    exports.XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}}}}


def _year_result(year: int | None) -> dict[str, Any]:
    return annual.read(year=year, rubric=settings().rubric, actor=actor(),
                           ladder=settings().ladder, now=utcnow())


@blp.route("/assessment")
@blp.arguments(AssessmentArgs, location="query")
@blp.response(200, AssessmentOut)
@errors(blp, 404)
def get_assessment(args: dict[str, Any]) -> dict[str, Any]:
    """The year's scores (frozen once the office froze it); a unit sees its own score and rank only."""
    return _year_result(args.get("year"))


@blp.route("/assessment/freeze", methods=["POST"])
@blp.arguments(FreezeIn)
@blp.response(200, AssessmentOut)
@errors(blp, 403, 404)
def freeze(data: dict[str, Any]) -> dict[str, Any]:
    """定稿 (office): store the year's result as it is now; a year is frozen once, after it ended."""
    scoring = settings().rubric
    annual.freeze(plan=annual.plan_for(scoring), year=data["year"], rubric=scoring,
                      ladder=settings().ladder, actor=actor(), now=utcnow())
    return _year_result(data["year"])


@blp.route("/assessment.xlsx")
@blp.arguments(AssessmentArgs, location="query")
@blp.doc(responses=XLSX_RESPONSE)
@errors(blp, 404)
def export(args: dict[str, Any]) -> Response:
    """The scores the caller may see as XLSX: a summary sheet and one sheet per unit listing its facts."""
    data = _year_result(args.get("year"))
    response = Response(annual.workbook(data), content_type=exports.XLSX_CONTENT_TYPE)
    response.headers["Content-Disposition"] = exports.content_disposition(annual.export_name(data))
    return response
