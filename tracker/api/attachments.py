"""Downloading an evidence file, for those who may see its item."""
from __future__ import annotations

from flask import Response, send_file

from ..services.work import progress
from ..settings import storage
from .auth import actor
from .common import api_blueprint, errors

blp = api_blueprint("attachments", "Evidence files")


@blp.route("/attachments/<id:attachment_id>")
@blp.doc(responses={"200": {"description": "the file", "content": {
    content_type: {"schema": {"type": "string", "format": "binary"}}
    for content_type in sorted({ct for ct, _magic in progress.ALLOWED.values()})}}})
@errors(blp, 404)
def download(attachment_id: int) -> Response:
    """The file under its original name, as an attachment (never rendered inline by the browser)."""
    attachment = progress.attachment_for(attachment_id, actor=actor())
    response = send_file(storage().folder / attachment.stored_name, mimetype=attachment.content_type,
                         as_attachment=True, download_name=attachment.original_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
