"""Reading the audit trail: one item's history, and the office's feed of every change."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from ...errors import NotAllowed
from ...extensions import db
from ...models import Event, User, WorkItem
from ..trust import permissions


def item_events(item: WorkItem) -> list[Event]:
    """The item's trail in the order it happened; the caller has already checked it may see the item."""
    return list(db.session.scalars(sa.select(Event).where(Event.item_id == item.id).order_by(Event.id)))


def all_events(*, actor: User, since: datetime | None, after_id: int | None,
               limit: int) -> tuple[list[Event], int | None]:
    """Every change, oldest first, for those who see everything (office, leaders); a page and the next cursor."""
    if not permissions.sees_everything(actor):
        raise NotAllowed("仅领导小组办公室和领导可以查看全部变更", "Only the office and leaders may read the feed",
                         code="office_only")
    stmt = sa.select(Event).order_by(Event.id).limit(limit + 1)
    if since is not None:
        stmt = stmt.where(Event.at >= since)
    if after_id is not None:
        stmt = stmt.where(Event.id > after_id)
    found = list(db.session.scalars(stmt))
    return found[:limit], (found[limit - 1].id if len(found) > limit else None)
