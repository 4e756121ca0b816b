"""Comments on a card: a conversation between the unit and the office, kept with the item and audited."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ... import limits
from ...errors import Invalid
from ...extensions import db
from ...models import Comment, User, WorkItem
from ..trust import audit
from . import item_rules

LIMIT = limits.COMMENT


def add_comment(item: WorkItem, *, actor: User, text: str, now: datetime) -> Comment:
    """Anyone who may see the item except leaders (read-only) may comment; the text is required."""
    item_rules.require(actor, item, "comment")
    text = text.strip()
    if not text or len(text) > LIMIT:
        raise Invalid(f"评论须为 1 至 {LIMIT} 字", f"A comment has 1 to {LIMIT} characters",
                      fields={"text": ["长度不符"]})
    comment = Comment(item_id=item.id, author_id=actor.id, at=now, text=text)
    db.session.add(comment)
    db.session.flush()
    audit.record(actor=actor, action="item.comment", entity_type="comment", entity_id=comment.id,
                 item_id=item.id, after={"text": text}, now=now)
    return comment


def comments_of(item: WorkItem) -> list[tuple[Comment, User]]:
    """The item's comments, oldest first, with their authors: one query."""
    return [(c, u) for c, u in db.session.execute(
        sa.select(Comment, User).join(User, User.id == Comment.author_id)
        .where(Comment.item_id == item.id).order_by(Comment.id)).all()]
