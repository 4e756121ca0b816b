"""Outgoing webhooks: URLs the office registers (for one unit or for all) with the events they want, each
delivery of a notification to a hook, and every attempt with its status and response time."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .enums import DeliveryStatus
from .types import Claimed, UTCDateTime, json_type, str_enum


class Webhook(Model):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(sa.String(500))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))  # None: every unit's events
    events: Mapped[list[str]] = mapped_column(json_type(), default=list)
    secret: Mapped[str] = mapped_column(sa.String(64))  # signs each body (HMAC-SHA256); needed in clear to sign
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class WebhookDelivery(Claimed, Model):
    """One notification to one hook; the body is stored as signed, so every retry sends the same bytes."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(sa.ForeignKey("webhooks.id"), index=True)
    notification_id: Mapped[int] = mapped_column(sa.ForeignKey("notifications.id"))
    event: Mapped[str] = mapped_column(sa.String(32))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus, "status"), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (sa.UniqueConstraint("webhook_id", "notification_id"),)


class WebhookAttempt(Model):
    """The delivery log the office reads: when, what the receiver answered, how long it took."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(sa.ForeignKey("webhook_deliveries.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    status_code: Mapped[int | None]
    response_ms: Mapped[int]
    error: Mapped[str | None] = mapped_column(sa.Text)
