"""The month's and the quarter's 通报 (bulletins): one document per plan, kind and period.

A draft holds only the office's text: its figures are rebuilt from current data whenever it is read. Issuing
freezes the figures as a JSON snapshot beside a document number taken from the notices' yearly sequence; an
issued bulletin is never recomputed, and its text no longer changes. `version` guards the office's edits
(optimistic concurrency, 409 on a stale one).
"""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .types import UTCDateTime, json_type, str_enum


class BulletinKind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"


class BulletinStatus(enum.StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"


class Bulletin(Model):
    __tablename__ = "bulletins"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"))
    kind: Mapped[BulletinKind] = mapped_column(str_enum(BulletinKind, "kind"))
    period: Mapped[str] = mapped_column(sa.String(16))  # "2024-05" or "2024-Q2"
    status: Mapped[BulletinStatus] = mapped_column(str_enum(BulletinStatus, "status"), default=BulletinStatus.DRAFT)
    lead_text: Mapped[str] = mapped_column(sa.Text, default="")
    closing_text: Mapped[str] = mapped_column(sa.Text, default="")
    data: Mapped[dict[str, Any] | None] = mapped_column(json_type())  # frozen at issue; None while a draft
    number: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))  # None: the scheduler
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "kind", "period"),
        sa.CheckConstraint(
            "(status = 'issued') = (number IS NOT NULL AND issued_at IS NOT NULL)", name="issued_is_numbered"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )
