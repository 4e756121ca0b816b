"""Comments on a card: a conversation between the unit and the office, kept with the item and audited.

A comment changes nothing of the item (not its version: a unit writing while the office reviews refuses nobody's
move); the people and units it names with @ are told (services/work/mentions.py).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ... import limits
from ...errors import Invalid
from ...extensions import db
from ...models import Comment, User, WorkItem
from ..ledger import notifications
from ..plan import wording
from ..trust import audit
from . import item_rules, mentions

LIMIT = limits.COMMENT


def add_comment(item: WorkItem, *, actor: User, text: str, now: datetime) -> Comment:
    """Anyone who may see the item except leaders (read-only) may comment; the text is required."""
    item_rules.require(actor, item, "comment")
    text = text.strip()
    if not text or len(text) > LIMIT:
        raise Invalid(f"评论须为 1 至 {LIMIT} 字", f"A comment has 1 to {LIMIT} characters",
                      fields={"text": ["长度不符"]})
    named = [m for m in mentions.find(text, mentions.mentionable(item)) if (m.kind, m.id) != (mentions.USER, actor.id)]
    comment = Comment(item_id=item.id, author_id=actor.id, at=now, text=text)
    db.session.add(comment)
    db.session.flush()
    mentions.record(comment.id, named)
    audit.record(actor=actor, action="item.comment", entity_type="comment", entity_id=comment.id,
                 item_id=item.id, now=now, after={"text": text, **({"mentioned": [
                     {"kind": m.kind, "id": m.id, "name": m.label} for m in named]} if named else {})})
    if named:
        excerpt = text[:120] + ("…" if len(text) > 120 else "")
        notifications.notify(
            kind="mentioned", item=item, now=now,
            text=f"{actor.display_name} 在“{wording.title(item)}”的评论中提到了您:{excerpt}",
            user_ids=[m.id for m in named if m.kind == mentions.USER],
            unit_ids=[m.id for m in named if m.kind == mentions.UNIT])
    return comment


def thread(item: WorkItem) -> list[dict[str, Any]]:
    """The item's comments as the API shows them, with their authors and whom each named: two queries."""
    found = comments_of(item)
    named = mentions.of_comments(comment.id for comment, _author in found)
    return [{"id": c.id, "item_id": c.item_id, "at": c.at, "text": c.text,
             "author": {"id": author.id, "display_name": author.display_name},
             "mentions": [{"kind": kind, "id": id_, "name": name} for kind, id_, name in named.get(c.id, [])]}
            for c, author in found]


def comments_of(item: WorkItem) -> list[tuple[Comment, User]]:
    """The item's comments, oldest first, with their authors: one query."""
    return [(c, u) for c, u in db.session.execute(
        sa.select(Comment, User).join(User, User.id == Comment.author_id)
        .where(Comment.item_id == item.id).order_by(Comment.id)).all()]
