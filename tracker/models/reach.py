"""Reaching a person where they work: each person's choice of channels, the robots of each unit's work group,
and every message sent to a person with when it was delivered and when it was read.

A group robot (企业微信 / 政务微信, 钉钉 / 浙政钉, 飞书) belongs to a chat group, and a unit's group is the unit's, so
robots are configured per unit (by the office or the unit's admin); a person chooses which of their unit's robots
should carry their notices (the robot @-mentions them by mobile where the vendor allows) and whether SMS does.
A message row is one notice to one person on one channel, in one round: round 1 goes out at once, round 2 is
the SMS sent once when round 1 stayed unread (services/ledger/reach.py).
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .enums import DeliveryStatus
from .types import Claimed, UTCDateTime, json_type, str_enum


class ReachChoice(Model):
    """A person's channels (in their order) and mobile number; no row: the app and the unit's mail only."""

    __tablename__ = "reach_choices"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    channels: Mapped[list[str]] = mapped_column(json_type(), default=list)
    mobile: Mapped[str | None] = mapped_column(sa.String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UnitRobot(Model):
    """One unit's group robot of one kind. The URL carries the robot's key (企业微信) or token (钉钉), so it is as
    secret as `secret` (the signing key of 钉钉 and 飞书): pages show both masked once saved."""

    __tablename__ = "unit_robots"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("units.id"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    url: Mapped[str] = mapped_column(sa.String(500))
    secret: Mapped[str] = mapped_column(sa.String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (sa.UniqueConstraint("unit_id", "kind"),)


class PersonMessage(Claimed, Model):
    """One notification to one person on one channel: queued with the notification, sent after the commit by
    the scheduler's delivery loop, retried with backoff, and stamped read when its link is followed."""

    __tablename__ = "person_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(sa.ForeignKey("notifications.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(16))
    round: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus, "status"), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (sa.UniqueConstraint("notification_id", "user_id", "channel", "round"),
                      sa.CheckConstraint("round IN (1, 2)", name="round_first_or_again"))
