"""Work items: the cards of the boards."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .enums import ItemSource, ItemStatus, Priority
from .types import UTCDateTime, str_enum

if TYPE_CHECKING:
    from .plan import ItemTemplate, Phase, Plan, Task
    from .unit import Unit
    from .user import User


class WorkItem(Model):
    """A card. `version` guards every change (optimistic concurrency); `position` orders a column.

    `unit_id` is the lead unit (牵头单位), which signs and alone submits; cooperating units (配合单位) are rows of
    `item_units`. A plan item hangs under a task; an ad-hoc item (交办件) has no task and names its source
    instead. A child item (二次分解) has a `parent_id` and is supervised by the parent's lead unit. A cancelled
    item (撤销) is kept with its reason and leaves the boards and the ladder.

    Positions are gapped integers shared by the whole column of a plan, so a filtered board shows its cards in
    the same relative order and a move writes one row (see services.work.ordering).
    """

    __tablename__ = "work_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"))
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id"), index=True)
    phase_id: Mapped[int] = mapped_column(sa.ForeignKey("phases.id"), index=True)
    template_id: Mapped[int | None] = mapped_column(sa.ForeignKey("item_templates.id"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ItemStatus] = mapped_column(str_enum(ItemStatus, "status"), default=ItemStatus.ASSIGNED)
    position: Mapped[int] = mapped_column(sa.BigInteger)
    due_date: Mapped[date | None] = mapped_column(index=True)
    original_due_date: Mapped[date | None]
    priority: Mapped[Priority] = mapped_column(str_enum(Priority, "priority"), default=Priority.NORMAL)
    recurrence_key: Mapped[str] = mapped_column(sa.String(32), default="")
    event_date: Mapped[date | None]
    event_label: Mapped[str | None] = mapped_column(sa.String(200))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    returned_count: Mapped[int] = mapped_column(default=0)
    last_return_reason: Mapped[str | None] = mapped_column(sa.Text)
    overdue_since: Mapped[date | None]
    days_overdue_at_close: Mapped[int | None]
    closed_late: Mapped[bool | None]
    source: Mapped[ItemSource | None] = mapped_column(str_enum(ItemSource, "source"))
    source_ref: Mapped[str | None] = mapped_column(sa.String(200))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("work_items.id"), index=True)
    responsible_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(32))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)

    plan: Mapped[Plan] = relationship()
    task: Mapped[Task | None] = relationship()
    phase: Mapped[Phase] = relationship()
    template: Mapped[ItemTemplate | None] = relationship()
    unit: Mapped[Unit] = relationship()
    parent: Mapped[WorkItem | None] = relationship(remote_side=[id])
    responsible: Mapped[User | None] = relationship(foreign_keys=[responsible_user_id])
    cooperators: Mapped[list[ItemUnit]] = relationship(back_populates="item", order_by="ItemUnit.unit_id",
                                                       cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("template_id", "unit_id", "recurrence_key"),
        sa.Index("ix_work_items_column", "plan_id", "status", "position"),
        sa.Index("ix_work_items_plan_due", "plan_id", "due_date"),  # the overdue list, read in its order
        sa.Index("ix_work_items_unit_status", "unit_id", "status"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint(
            "(due_date IS NULL) = (original_due_date IS NULL)", name="due_dates_together"
        ),
        sa.CheckConstraint("task_id IS NOT NULL OR source IS NOT NULL", name="task_or_source"),
        sa.CheckConstraint("(cancelled_at IS NULL) = (cancel_reason IS NULL)", name="cancel_has_reason"),
    )

    @property
    def was_extended(self) -> bool:
        return self.due_date != self.original_due_date

    def __repr__(self) -> str:
        return f"<WorkItem {self.id} {self.status} unit={self.unit_id}>"


class ItemUnit(Model):
    """A cooperating unit (配合单位) of an item and the state of its part: done when `part_done_at` is set."""

    __tablename__ = "item_units"

    item_id: Mapped[int] = mapped_column(sa.ForeignKey("work_items.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), primary_key=True, index=True)
    part_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    part_done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    part_note: Mapped[str | None] = mapped_column(sa.Text)

    item: Mapped[WorkItem] = relationship(back_populates="cooperators")
    unit: Mapped[Unit] = relationship()

    @property
    def is_done(self) -> bool:
        return self.part_done_at is not None
