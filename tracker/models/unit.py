"""Units: a tree of governments and departments, each of a kind a plan can address."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .types import json_type


class UnitKind(Model):
    __tablename__ = "unit_kinds"

    key: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))


class Unit(Model):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    short_name: Mapped[str] = mapped_column(sa.String(64))
    # 统一社会信用代码: how the city's directory names a unit, where it does not use the tracker's key.
    credit_code: Mapped[str | None] = mapped_column(sa.String(18), unique=True, index=True)
    kind: Mapped[str] = mapped_column(sa.ForeignKey("unit_kinds.key"))
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    tags: Mapped[list[str]] = mapped_column(json_type(), default=list)
    emails: Mapped[list[str]] = mapped_column(json_type(), default=list)
    is_sample: Mapped[bool] = mapped_column(default=False)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Unit]] = relationship(back_populates="parent", order_by="Unit.id")

    def __repr__(self) -> str:
        return f"<Unit {self.key}>"

    def as_audit(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, "kind": self.kind}
