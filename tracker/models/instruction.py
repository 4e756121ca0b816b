"""Leaders' instructions (批示): written on an item and never edited, or raised as a 批示件 for the office."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .enums import ProposalStatus
from .types import UTCDateTime, str_enum


class Instruction(Model):
    """A leader's instruction on an item. Immutable: there is no path that updates or deletes one."""

    __tablename__ = "instructions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("work_items.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    text: Mapped[str] = mapped_column(sa.Text)


class InstructionProposal(Model):
    """A 批示件: work a leader asks for; the office assigns it as an ad-hoc item or files it with a note."""

    __tablename__ = "instruction_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    title: Mapped[str] = mapped_column(sa.String(200))
    text: Mapped[str] = mapped_column(sa.Text)
    due_date: Mapped[date | None]
    status: Mapped[ProposalStatus] = mapped_column(str_enum(ProposalStatus, "status"),
                                                   default=ProposalStatus.PENDING)
    handled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handled_note: Mapped[str | None] = mapped_column(sa.Text)
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("work_items.id"))

    __table_args__ = (
        sa.CheckConstraint("(status = 'assigned') = (item_id IS NOT NULL)", name="assigned_has_item"),
    )
