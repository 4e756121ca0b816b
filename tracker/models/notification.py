"""Notifications (站内通知): what happened that a unit or a person should know at once, and its mail.

A notification goes to a unit (every user of it sees it; the first reader marks it read for the unit) or to
one user. `dedupe_key` makes a notification written by a job that may run again (a scan's pre-due reminder)
appear once. Mail is one message per unit per batch (`batch_key`, e.g. one daily scan or one request), so a
scan that issues twenty records sends each unit one message listing them.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .enums import DeliveryStatus
from .types import Claimed, UTCDateTime, str_enum


class Notification(Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("work_items.id"))
    record_id: Mapped[int | None] = mapped_column(sa.ForeignKey("accountability_records.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    batch_key: Mapped[str] = mapped_column(sa.String(64))
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(96), unique=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (sa.CheckConstraint("unit_id IS NOT NULL OR user_id IS NOT NULL", name="has_recipient"),)


class NotificationMail(Claimed, Model):
    """One message per (batch, unit, address): written with the notifications, sent after the commit."""

    __tablename__ = "notification_mails"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_key: Mapped[str] = mapped_column(sa.String(64))
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    address: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus, "status"), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (sa.UniqueConstraint("batch_key", "unit_id", "address"),)
