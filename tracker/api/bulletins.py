"""The month's and the quarter's 通报: the office's drafts and everyone's issued ones, the office's text, issuing,
and the documents (DOCX, PDF)."""
from __future__ import annotations

from typing import Any

from flask import Response

from ..clock import utcnow
from ..models import Bulletin
from ..services.assessment import bulletin_docs, bulletins
from ..services.io import exports
from .auth import actor
from .common import api_blueprint, errors
from ..schemas.bulletins import BulletinIssueIn, BulletinOut, BulletinQueryArgs, BulletinSummaryOut, BulletinTextIn
from ..settings import settings

blp = api_blueprint("bulletins", "The month's and the quarter's 通报")
BULLETIN = "/bulletins/<id:bulletin_id>"
FILE_RESPONSE = {"200": {"description": "the document", "content": {
    bulletin_docs.DOCX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}},
    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}


def described(bulletin: Bulletin, *, with_data: bool = False) -> dict[str, Any]:
    found = {c.name: getattr(bulletin, c.name) for c in bulletin.__table__.columns}
    found["title"] = bulletins.title(bulletin)
    if with_data:
        found["data"] = bulletins.data_of(bulletin, now=utcnow(), ladder=settings().ladder)
    return found


@blp.route("/bulletins")
@blp.arguments(BulletinQueryArgs, location="query")
@blp.response(200, BulletinSummaryOut(many=True))
@errors(blp)
def list_bulletins(args: dict[str, Any]) -> list[dict[str, Any]]:
    """Newest period first: issued ones for everyone, drafts too for the office."""
    return [described(b) for b in bulletins.list_bulletins(actor=actor(), **args)]


@blp.route(BULLETIN)
@blp.response(200, BulletinOut)
@errors(blp, 404)
def get_bulletin(bulletin_id: int) -> dict[str, Any]:
    """One bulletin with its figures (a draft's as of now; an issued one's as frozen) and the office's text."""
    return described(bulletins.get_bulletin(bulletin_id, actor=actor()), with_data=True)


@blp.route(BULLETIN, methods=["PATCH"])
@blp.arguments(BulletinTextIn)
@blp.response(200, BulletinOut)
@errors(blp, 403, 404, 409)
def edit_text(data: dict[str, Any], bulletin_id: int) -> dict[str, Any]:
    """Office: a draft's lead paragraph and/or closing remarks, with the version read (409 when stale; 422 once
    issued)."""
    bulletin = bulletins.get_bulletin(bulletin_id, actor=actor())
    bulletins.edit_text(bulletin, actor=actor(), lead_text=data.get("lead_text"),
                        closing_text=data.get("closing_text"), expected_version=data["version"], now=utcnow())
    return described(bulletin, with_data=True)


@blp.route(BULLETIN + "/issue", methods=["POST"])
@blp.arguments(BulletinIssueIn)
@blp.response(200, BulletinOut)
@errors(blp, 403, 404, 409)
def issue(data: dict[str, Any], bulletin_id: int) -> dict[str, Any]:
    """Office: freeze the figures and text, give it its number; `notify_leaders` tells the leaders."""
    bulletin = bulletins.get_bulletin(bulletin_id, actor=actor())
    bulletins.issue(bulletin, actor=actor(), expected_version=data["version"], now=utcnow(), ladder=settings().ladder,
                    number_format=settings().number_format,
                    notify_leaders=data["notify_leaders"])
    return described(bulletin, with_data=True)


@blp.route(BULLETIN + "/document.<any(docx, pdf):extension>")
@blp.doc(responses=FILE_RESPONSE)
@errors(blp, 404)
def document(bulletin_id: int, extension: str) -> Response:
    """The document to download, named in Chinese (RFC 5987 filename*)."""
    return file_response(*bulletin_docs.document_file(bulletins.get_bulletin(bulletin_id, actor=actor()), extension,
                                                      now=utcnow(), ladder=settings().ladder))


def file_response(body: bytes, content_type: str, filename: str) -> Response:
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = exports.content_disposition(filename)
    return response
