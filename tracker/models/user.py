"""Accounts and their API tokens."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from .enums import Role
from .types import UTCDateTime, str_enum

if TYPE_CHECKING:
    from .unit import Unit


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(100))
    email: Mapped[str | None] = mapped_column(sa.String(200))
    job_number: Mapped[str | None] = mapped_column(sa.String(32))  # 工号: with the unit's credit code, a directory key
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"), index=True)
    is_enabled: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=True)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Two factors (TOTP, RFC 6238): the shared secret once enrolment is confirmed, and the last time step a code
    # was taken for, so a code seen over a shoulder cannot be used twice.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger())

    unit: Mapped[Unit] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts through this
        return self.is_enabled

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class ApiToken(Model):
    """A bearer token; only its SHA-256 is kept, the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
