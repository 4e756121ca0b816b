"""退办 / 异议: a unit contests an item it was given (misassigned, or another unit is responsible), within a window
of working days from the assignment; the office upholds it (reassigns) or rejects it, with a reason either way.
The ladder's clock does not stop while a contest waits."""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .types import UTCDateTime, str_enum


class ContestStatus(enum.StrEnum):
    PENDING = "pending"    # 异议中
    UPHELD = "upheld"      # 异议成立: reassigned
    REJECTED = "rejected"  # 异议不成立


class ItemContest(Model):
    __tablename__ = "item_contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("work_items.id"), index=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))  # the unit that contests
    proposed_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))  # the unit it names instead
    reason: Mapped[str] = mapped_column(sa.Text())
    raised_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[ContestStatus] = mapped_column(str_enum(ContestStatus, "contest_status"),
                                                  default=ContestStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(sa.Text())
    new_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))
    new_due_date: Mapped[date | None]
