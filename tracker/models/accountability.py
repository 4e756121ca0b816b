"""Accountability records (督办记录): one per item per ladder level per due date; never deleted."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .enums import RecordStatus
from .types import UTCDateTime, str_enum


class AccountabilityRecord(db.Model):
    __tablename__ = "accountability_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("work_items.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16), default="ladder")
    level: Mapped[int]
    level_name: Mapped[str] = mapped_column(sa.String(32))
    due_date: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.Text)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    answer_due: Mapped[date | None]
    answer_text: Mapped[str | None] = mapped_column(sa.Text)
    remedy_date: Mapped[date | None]
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    close_note: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[RecordStatus] = mapped_column(str_enum(RecordStatus, "status"), default=RecordStatus.OPEN)

    __table_args__ = (sa.UniqueConstraint("item_id", "kind", "level", "due_date"),)
