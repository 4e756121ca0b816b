"""Formal notices as PDF: one 督办/通报 notice, or the notices of one scan day, 100 to a part."""
from __future__ import annotations

from typing import Any

from flask import Response

from ..services.io import exports
from ..services.ledger import notices, records
from .auth import actor
from .common import api_blueprint, errors
from ..schemas.notices import NoticeDayArgs
from ..settings import settings

blp = api_blueprint("notices", "Formal notices (督办通知单) as PDF")
PDF_RESPONSE = {"200": {"description": "A4 PDF, fonts embedded", "content": {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}


def pdf_response(body: bytes, names: tuple[str, str]) -> Response:
    """Opened in the browser's PDF viewer; saved under its Chinese name (an ASCII one for old clients)."""
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = exports.content_disposition(*names, inline=True)
    return response


@blp.route("/records/<id:record_id>/notice.pdf")
@blp.doc(responses=PDF_RESPONSE)
@errors(blp, 404)
def notice(record_id: int) -> Response:
    """The record's notice with its 回执 (422 for a record without a numbered notice, e.g. a 提醒)."""
    record = notices.require_notice(records.get_record(record_id, actor=actor()))
    rows = notices.notice_rows([record], timezone=settings().timezone)
    return pdf_response(notices.render_pdf(rows), notices.notice_names(record))


@blp.route("/notices.pdf")
@blp.arguments(NoticeDayArgs, location="query")
@blp.doc(responses=PDF_RESPONSE)
@errors(blp, 403)
def notices_of_day(args: dict[str, Any]) -> Response:
    """Office: the notices issued on one day (plan time zone), for printing and stamping, 100 to a part
    (`part`, from 1). `X-Total-Count` says how many notices the day has, `X-Part-Count` in how many parts; a part
    that does not exist is a 422 saying how many there are."""
    timezone = settings().timezone
    batch = notices.notices_of_day(args["day"], actor=actor(), timezone=timezone, part=args["part"] or 1)
    response = pdf_response(notices.render_pdf(notices.notice_rows(batch.records, timezone=timezone)), batch.names())
    response.headers["X-Total-Count"] = str(batch.total)
    response.headers["X-Part-Count"] = str(batch.parts)
    return response
