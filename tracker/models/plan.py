"""The plan as data: phases, task groups, tasks, their "X" parameters and work-item templates."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .enums import EvidenceRule, PhaseSource, Priority
from .types import UTCDateTime, json_type, str_enum


class Plan(Model):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    short_title: Mapped[str] = mapped_column(sa.String(64))
    timezone: Mapped[str] = mapped_column(sa.String(64))
    start_date: Mapped[date]
    end_date: Mapped[date]
    office_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Whether a submission needs evidence: for the plan's own items (a template may say otherwise) and for
    # ad-hoc items (交办件); a split item follows the item it was split from.
    evidence_rule: Mapped[EvidenceRule] = mapped_column(str_enum(EvidenceRule, "evidence_rule"),
                                                        default=EvidenceRule.REQUIRED, server_default="required")
    ad_hoc_evidence_rule: Mapped[EvidenceRule] = mapped_column(str_enum(EvidenceRule, "ad_hoc_evidence_rule"),
                                                               default=EvidenceRule.ASKED, server_default="asked")
    # 退办 / 异议: how many working days after an assignment a unit may contest it
    contest_days: Mapped[int] = mapped_column(default=7, server_default="7")

    phases: Mapped[list[Phase]] = relationship(back_populates="plan", order_by="Phase.seq")
    groups: Mapped[list[TaskGroup]] = relationship(back_populates="plan", order_by="TaskGroup.seq")
    tasks: Mapped[list[Task]] = relationship(back_populates="plan", order_by="Task.number")

    __table_args__ = (sa.CheckConstraint("start_date <= end_date", name="dates_ordered"),)


class Phase(Model):
    __tablename__ = "phases"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"))
    key: Mapped[str] = mapped_column(sa.String(64))
    seq: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(100))
    start_date: Mapped[date]
    end_date: Mapped[date]
    source: Mapped[PhaseSource] = mapped_column(str_enum(PhaseSource, "phase_source"))

    plan: Mapped[Plan] = relationship(back_populates="phases")

    __table_args__ = (
        sa.UniqueConstraint("plan_id", "key"),
        sa.CheckConstraint("start_date <= end_date", name="dates_ordered"),
    )

    def contains(self, day: date) -> bool:
        return self.start_date <= day <= self.end_date


class TaskGroup(Model):
    __tablename__ = "task_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"))
    key: Mapped[str] = mapped_column(sa.String(64))
    seq: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))

    plan: Mapped[Plan] = relationship(back_populates="groups")
    tasks: Mapped[list[Task]] = relationship(back_populates="group", order_by="Task.number")

    __table_args__ = (sa.UniqueConstraint("plan_id", "key"),)


class Task(Model):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"))
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("task_groups.id"))
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    text: Mapped[str] = mapped_column(sa.Text)
    lead_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))

    plan: Mapped[Plan] = relationship(back_populates="tasks")
    group: Mapped[TaskGroup] = relationship(back_populates="tasks")
    lead_unit: Mapped[Any] = relationship("Unit")
    parameters: Mapped[list[TaskParameter]] = relationship(back_populates="task", order_by="TaskParameter.id")
    templates: Mapped[list[ItemTemplate]] = relationship(back_populates="task", order_by="ItemTemplate.id")

    __table_args__ = (sa.UniqueConstraint("plan_id", "number"),)


class TaskParameter(Model):
    """One "X" of the plan: empty until the office sets it."""

    __tablename__ = "task_parameters"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id"))
    key: Mapped[str] = mapped_column(sa.String(64))
    label: Mapped[str] = mapped_column(sa.String(200))
    unit_label: Mapped[str] = mapped_column(sa.String(16), default="")
    value: Mapped[str | None] = mapped_column(sa.String(64))
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    set_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    task: Mapped[Task] = relationship(back_populates="parameters")

    __table_args__ = (sa.UniqueConstraint("task_id", "key"),)


class ItemTemplate(Model):
    """What the plan asks of whom and by when; expanded into work items per carrier unit (and year)."""

    __tablename__ = "item_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(sa.ForeignKey("tasks.id"))
    key: Mapped[str] = mapped_column(sa.String(64))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # Why the template reads as it does where the plan is silent (a date or a carrier chosen by practice): the
    # office's record of its reading, never copied into the items units read.
    note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    carriers: Mapped[dict[str, list[str]]] = mapped_column(json_type())
    cooperators: Mapped[dict[str, list[str]] | None] = mapped_column(json_type())
    x_keys: Mapped[list[str] | None] = mapped_column(json_type())  # the parameter each X stands for, in order
    due_rule: Mapped[dict[str, Any]] = mapped_column(json_type())
    phase_id: Mapped[int | None] = mapped_column(sa.ForeignKey("phases.id"))
    priority: Mapped[Priority] = mapped_column(str_enum(Priority, "priority"), default=Priority.NORMAL)
    # whether its items' submissions need evidence; None: as the plan says for its items
    evidence_rule: Mapped[EvidenceRule | None] = mapped_column(str_enum(EvidenceRule, "evidence_rule"))

    task: Mapped[Task] = relationship(back_populates="templates")

    __table_args__ = (sa.UniqueConstraint("task_id", "key"),)
