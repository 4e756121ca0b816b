"""Downloading an evidence file, for those who may see its item."""
from __future__ import annotations

from flask import Response, send_file

from .auth import actor
from .common import api_blueprint, errors
from .updates import storage
from ..services import progress

blp = api_blueprint("attachments", "Evidence files")


@blp.route("/attachments/<int(max=2147483647):attachment_id>")
@blp.response(200, {"type": "string", "format": "binary"}, content_type="application/octet-stream")
@errors(blp, 404)
def download(attachment_id: int) -> Response:
    """The file under its original name, as an attachment (never rendered inline by the browser)."""
    attachment = progress.attachment_for(actor(), attachment_id)
    response = send_file(storage().folder / attachment.stored_name, mimetype=attachment.content_type,
                         as_attachment=True, download_name=attachment.original_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
