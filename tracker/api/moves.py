"""Moving cards and reviewing them: both go through workflow.move, the one move function for every caller."""
from __future__ import annotations

from typing import Any

from flask import Response

from ..clock import utcnow
from ..services.work import detail, workflow
from .auth import actor
from .common import api_blueprint, errors
from .items import item_response
from ..schemas.items import MoveIn, ReviewIn, WorkItemOut

blp = api_blueprint("moves", "Moving cards between and within columns; the office's review")

@blp.route("/items/<id:item_id>/move", methods=["POST"])
@blp.arguments(MoveIn)
@blp.response(200, WorkItemOut)
@errors(blp, 403, 404, 409)
def move(data: dict[str, Any], item_id: int) -> Response:
    """Column and/or position in one call: `to` a status, `before` or `after` a card of that column (else top).

    409 on a stale version, 422 for a transition the workflow refuses or an anchor in another column, 403 for
    a role or unit that may not.
    """
    item, known = detail.read_visible(item_id, actor=actor())
    workflow.move(item, actor=actor(), to=data["to"], expected_version=data["version"], now=utcnow(),
                  before_id=data.get("before"), after_id=data.get("after"), note=data.get("note"))
    return item_response(item, known=known)


@blp.route("/items/<id:item_id>/review", methods=["POST"])
@blp.arguments(ReviewIn)
@blp.response(200, WorkItemOut)
@errors(blp, 403, 404, 409)
def review(data: dict[str, Any], item_id: int) -> Response:
    """Office only: approve a submitted card (to 已办结) or return it with a reason (to 进行中)."""
    item, known = detail.read_visible(item_id, actor=actor())
    workflow.review(item, actor=actor(), decision=data["decision"], expected_version=data["version"],
                    now=utcnow(), reason=data.get("reason"))
    return item_response(item, known=known)
