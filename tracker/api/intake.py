"""Excel intake of a 任务分解表 and of the unit list: a dry run or the commit of the whole file, and the empty
templates."""
from __future__ import annotations

from typing import Any

from flask import Response

from ..clock import utcnow
from ..database import outside_transaction
from ..services.io import exports, intake, unit_intake
from ..services.plan import lookup
from ..services.trust import permissions
from .auth import actor
from .common import api_blueprint, errors
from .parsing import MULTIPART
from ..schemas.assignments import IntakeIn, IntakeReportOut

blp = api_blueprint("intake", "Excel intake of a task breakdown sheet (任务分解表)")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blp.route("/intake/tasks", methods=["POST"])
@blp.arguments(IntakeIn, location=MULTIPART)
@blp.response(200, IntakeReportOut)
@errors(blp, 403)
def import_tasks(data: dict[str, Any]) -> dict[str, Any]:
    """Office only: every row's outcome; with commit=true the rows are written in one transaction."""
    permissions.require_office(actor())  # before the file is read: a unit learns nothing about its content
    rows = outside_transaction(lambda: intake.read_rows(data["file"].stream))
    report = intake.import_tasks(rows, actor=actor(), plan=lookup.plan(None), commit=data["commit"], now=utcnow())
    return report.as_dict()


@blp.route("/intake/units", methods=["POST"])
@blp.arguments(IntakeIn, location=MULTIPART)
@blp.response(200, IntakeReportOut)
@errors(blp, 403)
def import_units(data: dict[str, Any]) -> dict[str, Any]:
    """Office only: the unit list (单位标识, 单位名称, 简称, 类型, 上级单位, 联系邮箱), every row's outcome."""
    permissions.require_office(actor())
    rows = outside_transaction(lambda: unit_intake.read_units(data["file"].stream))
    return unit_intake.import_units(rows, actor=actor(), commit=data["commit"], now=utcnow()).as_dict()


@blp.route("/intake/<any(tasks, units):sheet>/template")
@blp.doc(responses={"200": {"description": "the template", "content": {
    XLSX: {"schema": {"type": "string", "format": "binary"}}}}})
@errors(blp, 403, 404)
def template(sheet: str) -> Response:
    """Office only: the empty sheet, `tasks` (its eight columns) or `units` (the unit list)."""
    permissions.require_office(actor())
    response = Response(intake.template() if sheet == "tasks" else unit_intake.unit_template(), mimetype=XLSX)
    response.headers["Content-Disposition"] = exports.content_disposition(*intake.TEMPLATE_NAMES[sheet])
    return response
