"""Indicators: the plan's quantified targets (rates of X%, "不少于X次", 30 hours of training), and the figures
units report against them per period.

An indicator is declared by the plan file; its target is a number or one of the plan's "X" parameters, which the
office sets. A report is never overwritten: a unit that reports again (a correction while the office has not
decided, or after a return) adds a report with the next `seq`, and the one it replaces is marked superseded. The
unique (indicator, unit, period, seq) makes two reports racing for the same place a conflict, not a fork.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .enums import Direction, IndicatorPeriod, ReportStatus
from .types import UTCDateTime, json_type, str_enum

VALUE = sa.Numeric(14, 4)


class Indicator(Model):
    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"))
    key: Mapped[str] = mapped_column(sa.String(64))
    seq: Mapped[int]
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    measure: Mapped[str] = mapped_column(sa.String(16), default="")
    direction: Mapped[Direction] = mapped_column(str_enum(Direction, "direction"))
    target_parameter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("task_parameters.id"))
    target_value: Mapped[Decimal | None] = mapped_column(VALUE)
    period: Mapped[IndicatorPeriod] = mapped_column(str_enum(IndicatorPeriod, "period"))
    reporters: Mapped[dict[str, list[str]]] = mapped_column(json_type())
    first_year: Mapped[int | None]
    last_year: Mapped[int | None]
    text: Mapped[str] = mapped_column(sa.Text, default="")
    due_days: Mapped[int] = mapped_column(default=0, server_default="0")  # a period's figure is due this long after

    plan: Mapped[Any] = relationship("Plan")
    task: Mapped[Any] = relationship("Task")
    target_parameter: Mapped[Any] = relationship("TaskParameter")

    __table_args__ = (
        sa.UniqueConstraint("plan_id", "key"),
        sa.CheckConstraint("(target_parameter_id IS NULL AND target_value IS NOT NULL) OR "
                           "(target_parameter_id IS NOT NULL AND target_value IS NULL)", name="one_target"),
        sa.CheckConstraint("first_year IS NULL OR last_year IS NULL OR first_year <= last_year",
                           name="years_ordered"),
        sa.CheckConstraint("due_days >= 0", name="due_days_not_negative"),
    )


class IndicatorReport(Model):
    """One figure a unit reported for one period, with its note, its evidence (attachments) and its fate."""

    __tablename__ = "indicator_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicators.id"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    period: Mapped[str] = mapped_column(sa.String(7))
    seq: Mapped[int]
    value: Mapped[Decimal] = mapped_column(VALUE)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ReportStatus] = mapped_column(str_enum(ReportStatus, "status"), default=ReportStatus.SUBMITTED)
    reported_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    return_reason: Mapped[str | None] = mapped_column(sa.Text)
    version: Mapped[int] = mapped_column(default=1)

    indicator: Mapped[Indicator] = relationship()
    unit: Mapped[Any] = relationship("Unit")
    reported_by: Mapped[Any] = relationship("User", foreign_keys=[reported_by_id])
    decided_by: Mapped[Any] = relationship("User", foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("indicator_id", "unit_id", "period", "seq"),
        sa.CheckConstraint("seq >= 1", name="seq_positive"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint("status != 'returned' OR return_reason IS NOT NULL", name="return_has_reason"),
    )
