"""An item's thread of comments: read it, add to it (naming people and units with @), and who may be named."""
from __future__ import annotations

from typing import Any

from ..clock import utcnow
from ..schemas.comments import CommentIn, CommentOut, MentionableOut
from ..services.work import comments, mentions
from .auth import actor
from .common import api_blueprint, errors, visible_item

blp = api_blueprint("comments", "Comments and mentions")


@blp.route("/items/<id:item_id>/comments")
@blp.response(200, CommentOut(many=True))
@errors(blp, 404)
def list_comments(item_id: int) -> list[dict[str, Any]]:
    """The thread, oldest first; comments never change the item's version."""
    return comments.thread(visible_item(item_id))


@blp.route("/items/<id:item_id>/comments", methods=["POST"])
@blp.arguments(CommentIn)
@blp.response(201, CommentOut)
@errors(blp, 403, 404)
def add_comment(data: dict[str, Any], item_id: int) -> dict[str, Any]:
    """A comment; the people and units it names with @ (among those `mentionable` lists) are notified."""
    item = visible_item(item_id)
    comment = comments.add_comment(item, actor=actor(), text=data["text"], now=utcnow())
    return next(entry for entry in comments.thread(item) if entry["id"] == comment.id)


@blp.route("/items/<id:item_id>/mentionable")
@blp.response(200, MentionableOut(many=True))
@errors(blp, 404)
def mentionable(item_id: int) -> list[mentions.Mentionable]:
    """Who a comment on the item may name: its units and those above them, the office, and their people."""
    return mentions.mentionable(visible_item(item_id))
