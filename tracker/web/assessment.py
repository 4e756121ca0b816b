"""The year-end scores page (年度考核): the ranking, each unit's breakdown with its evidence, the export and the
office's freeze (定稿). A unit sees its own score, breakdown and rank; leaders and the office see every unit."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..clock import utcnow
from ..services.assessment import annual
from ..services.io import exports
from ..schemas import page_forms
from ..settings import settings
from . import forms
from .access import office_only
from .htmx import render

bp = Blueprint("assessment", __name__)


def _year_result(year: int | None) -> dict[str, Any]:
    return annual.read(year=year, rubric=settings().rubric, actor=current_user,
                           ladder=settings().ladder, now=utcnow())


@bp.route("/assessment")
@login_required
def show() -> Response:
    data = _year_result(forms.query(page_forms.AssessmentQuery()).get("year"))
    return render("assessment/page.html", data=data)


@bp.route("/assessment.xlsx")
@login_required
def export() -> Response:
    """What the page shows, as a workbook: the summary and one sheet per unit."""
    data = _year_result(forms.query(page_forms.AssessmentQuery()).get("year"))
    response = Response(annual.workbook(data, base_url=url_for("home.index", _external=True).rstrip("/")),
                        content_type=exports.XLSX_CONTENT_TYPE)
    response.headers["Content-Disposition"] = exports.content_disposition(annual.export_name(data))
    return response


@bp.route("/assessment/freeze", methods=["POST"])
@office_only
def freeze() -> Response:
    year = forms.form(page_forms.FreezeForm())["year"]
    scoring = settings().rubric
    annual.freeze(plan=annual.plan_for(scoring), year=year, rubric=scoring,
                      ladder=settings().ladder, actor=current_user, now=utcnow())
    flash(_("The %(year)d assessment is frozen.", year=year))
    return forms.finished(url_for("assessment.show", year=year))
