"""Periodic reporting (定期报送): the rhythm the office sets, and the reports units failed to make in time.

A rhythm belongs to a plan (`group_id` NULL) or to one of its task groups, whose row overrides the plan's. Where
nothing is set the rule's default applies (monthly, by the 25th; see services.assessment.reporting_duty), so a plan needs
no row to be supervised. A MissedReport (未按时报送) is a fact the daily scan records once per item and period;
it is never deleted, and a later update does not undo it.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .types import UTCDateTime, str_enum


class ReportFrequency(enum.StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    NONE = "none"


class ReportingRhythm(Model):
    __tablename__ = "reporting_rhythms"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"), index=True)
    group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("task_groups.id"), unique=True)
    frequency: Mapped[ReportFrequency] = mapped_column(str_enum(ReportFrequency, "frequency"))
    day: Mapped[int | None]  # the day of the month (of the quarter's last month) reports are due by
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        # One row for the plan itself: a unique (plan_id, group_id) would let NULL group ids repeat.
        sa.Index("uq_reporting_rhythms_plan_own", "plan_id", unique=True,
                 sqlite_where=sa.text("group_id IS NULL"), postgresql_where=sa.text("group_id IS NULL")),
        sa.CheckConstraint("(frequency = 'none') = (day IS NULL)", name="day_with_frequency"),
        sa.CheckConstraint("day BETWEEN 1 AND 28", name="day_range"),
    )


class MissedReport(Model):
    """未按时报送: the item's lead unit posted no progress in `period`, whose reports were due by `due_on`."""

    __tablename__ = "missed_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("work_items.id"))  # indexed by the unique key
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    period: Mapped[str] = mapped_column(sa.String(16))  # "2024-05" (monthly) or "2024-Q2" (quarterly)
    due_on: Mapped[date] = mapped_column(index=True)
    flagged_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (sa.UniqueConstraint("item_id", "period"),)
