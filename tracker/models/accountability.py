"""Accountability records (督办记录): one per item per ladder level per due date; never deleted.

A record owes an answer when its level has `answer_within_days` (督办): `answer_due` is set then. Others
(提醒, 催办, 通报, 未答复) are notices: read, not answered; `read_at`/`read_by_id` note the unit's first reading.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .enums import RecordStatus
from .types import UTCDateTime, str_enum

LADDER_KIND = "ladder"  # written by the daily scan
UNANSWERED_KIND = "unanswered"  # a 督办 whose answer is late
MANUAL_KIND = "manual"  # escalated by the office by hand


class AccountabilityRecord(Model):
    __tablename__ = "accountability_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("work_items.id"))
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
    doc_number: Mapped[str | None] = mapped_column(sa.String(40), unique=True)  # 督办〔2024〕12号; never reused
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    status: Mapped[RecordStatus] = mapped_column(str_enum(RecordStatus, "status"), default=RecordStatus.OPEN)

    @property
    def owes_answer(self) -> bool:
        """督办 (a level with answer_within_days) owes a written answer; 提醒, 催办, 通报 are notices."""
        return self.answer_due is not None

    # An item's records by level: a card's and the overdue list's open level is the highest open one, read from
    # this index in its order for each row (by item alone, a sort was set up for every card, none to sort).
    __table_args__ = (sa.UniqueConstraint("item_id", "kind", "level", "due_date"),
                      sa.Index("ix_accountability_records_item_level", "item_id", "level"))


class DocSequence(Model):
    """The last document number given per kind (督办, 通报) and year; its row is locked while numbers are taken."""

    __tablename__ = "doc_sequences"

    kind: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)
