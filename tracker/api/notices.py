"""Formal notices as PDF: one 督办/通报 notice, or every notice of one scan day in one file."""
from __future__ import annotations

from typing import Any

from flask import Response, current_app

from ..services import notices, records
from .auth import actor
from .common import api_blueprint, errors
from .schemas.notices import NoticeDayArgs

blp = api_blueprint("notices", "Formal notices (督办通知单) as PDF")
PDF_RESPONSE = {"200": {"description": "A4 PDF, fonts embedded", "content": {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}


def pdf_response(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    return response


@blp.route("/records/<id:record_id>/notice.pdf")
@blp.doc(responses=PDF_RESPONSE)
@errors(blp, 404)
def notice(record_id: int) -> Response:
    """The record's notice with its 回执 (422 for a record without a numbered notice, e.g. a 提醒)."""
    record = notices.require_notice(records.get_record(record_id, actor=actor()))
    rows = notices.notice_rows([record], timezone=current_app.config["TRACKER_TIMEZONE"])
    return pdf_response(notices.render_pdf(rows), f"notice-{record.id}.pdf")


@blp.route("/notices.pdf")
@blp.arguments(NoticeDayArgs, location="query")
@blp.doc(responses=PDF_RESPONSE)
@errors(blp, 403)
def notices_of_day(args: dict[str, Any]) -> Response:
    """Office: every notice issued on one day (plan time zone) in one file, for printing and stamping."""
    timezone = current_app.config["TRACKER_TIMEZONE"]
    found = notices.notices_of_day(args["day"], actor=actor(), timezone=timezone)
    return pdf_response(notices.render_pdf(notices.notice_rows(found, timezone=timezone)),
                        f"notices-{args['day'].isoformat()}.pdf")
