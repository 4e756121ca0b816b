"""Changes to items announced to open pages (live boards): one row per item changed by a committed transaction."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .types import UTCDateTime, json_type


class LiveEvent(Model):
    """Written in the transaction that changed the item, so only what committed is announced. The id only grows
    (AUTOINCREMENT on SQLite: pruning the oldest rows never lets an id come back), so a page that lost its
    stream resumes after the last id it saw (`Last-Event-ID`). `unit_ids` are the units whose people may see
    the item (its lead unit and cooperating units, before and after the change); the stream asks the
    permission predicate with them."""

    __tablename__ = "live_events"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    item_id: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(64))
    version: Mapped[int | None]
    unit_ids: Mapped[list[int]] = mapped_column(json_type())
