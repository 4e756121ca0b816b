"""Weekly digests as stored: the office and leaders read all, a unit its own."""
from __future__ import annotations

from typing import Any

from ..services.ledger import digests
from .auth import actor
from .common import api_blueprint, errors
from ..schemas.records import DigestOut, DigestQueryArgs, DigestSummaryOut

blp = api_blueprint("digests", "Weekly digests")


@blp.route("/digests")
@blp.arguments(DigestQueryArgs, location="query")
@blp.response(200, DigestSummaryOut(many=True))
@errors(blp)
def list_digests(args: dict[str, Any]) -> list[Any]:
    """Newest week first."""
    return digests.list_digests(actor=actor(), **args)


@blp.route("/digests/<id:digest_id>")
@blp.response(200, DigestOut)
@errors(blp, 404)
def get_digest(digest_id: int) -> dict[str, Any]:
    """One digest as sent: its data snapshot, HTML and text, and how each delivery went."""
    digest = digests.get_digest(digest_id, actor=actor())
    return {**{c.name: getattr(digest, c.name) for c in digest.__table__.columns},
            "deliveries": digests.deliveries_of(digest)}
