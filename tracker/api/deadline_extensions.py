"""Deadline extensions: the unit asks on the item, the office decides on the request."""
from __future__ import annotations

from typing import Any

from ..clock import utcnow
from ..models import ExtensionRequest
from ..services.work import deadline_extensions
from .auth import actor
from .common import api_blueprint, errors, visible_item
from ..schemas.progress import DecisionIn, ExtensionIn, ExtensionOut

blp = api_blueprint("extensions", "Deadline extension requests")


@blp.route("/items/<id:item_id>/extensions", methods=["POST"])
@blp.arguments(ExtensionIn)
@blp.response(201, ExtensionOut)
@errors(blp, 403, 404)
def ask(data: dict[str, Any], item_id: int) -> ExtensionRequest:
    extension = deadline_extensions.request_extension(visible_item(item_id), actor=actor(), due=data["due"],
                                             reason=data["reason"], now=utcnow())
    return extension


@blp.route("/items/<id:item_id>/extensions")
@blp.response(200, ExtensionOut(many=True))
@errors(blp, 404)
def list_requests(item_id: int) -> list[ExtensionRequest]:
    return deadline_extensions.requests_of(visible_item(item_id))


@blp.route("/extensions/<id:request_id>/decision", methods=["POST"])
@blp.arguments(DecisionIn)
@blp.response(200, ExtensionOut)
@errors(blp, 403, 404, 409)
def decide(data: dict[str, Any], request_id: int) -> ExtensionRequest:
    """Office only: grant (the item's due date moves; the original stays) or refuse with a note."""
    extension = deadline_extensions.get_request(request_id, actor=actor())
    deadline_extensions.decide(extension, actor=actor(), grant=deadline_extensions.DECISIONS[data["decision"]], note=data.get("note"),
                      now=utcnow())
    return extension
