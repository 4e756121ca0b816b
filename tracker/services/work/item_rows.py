"""Rows that belong to an item (an extension request, a contest): found by their own id only for someone who may
see their item, so an id cannot be probed, and listed for an item in the order they came."""
from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa

from ...errors import NotFound
from ...extensions import db
from ...models import User, WorkItem
from ..trust import permissions

Row = TypeVar("Row")


def visible_row(model: type[Row], row_id: int, *, actor: User, missing: NotFound) -> Row:
    """The row, when the actor may see its item; `missing` otherwise, whether it exists or not."""
    row = db.session.get(model, row_id)
    item = db.session.get(WorkItem, getattr(row, "item_id")) if row is not None else None
    if row is None or item is None or not permissions.can_see_item(actor, item):
        raise missing
    return row


def rows_of(model: Any, item: WorkItem) -> list[Any]:
    """The item's rows of `model`, oldest first."""
    return list(db.session.scalars(sa.select(model).where(model.item_id == item.id).order_by(model.id)))
