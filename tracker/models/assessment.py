"""A year's assessment (年度考核) once the office has frozen it (定稿): the whole result as it was, never recomputed.

Until it is frozen a year's scores are computed on every reading (services.assessment.annual); freezing stores the
breakdown, the rubric's version and hash, and who froze it and when. One per plan and year.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .types import UTCDateTime, json_type


class Assessment(Model):
    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plans.id"))
    year: Mapped[int]
    rubric_version: Mapped[str] = mapped_column(sa.String(32))
    rubric_hash: Mapped[str] = mapped_column(sa.String(64))
    result: Mapped[dict[str, Any]] = mapped_column(json_type())
    frozen_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (sa.UniqueConstraint("plan_id", "year"),)
