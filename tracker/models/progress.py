"""What units report on an item: progress with evidence, comments, and requests for more time."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from .enums import ExtensionStatus
from .types import UTCDateTime, str_enum


class ProgressUpdate(Model):
    __tablename__ = "progress_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("work_items.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    text: Mapped[str] = mapped_column(sa.Text)
    percent: Mapped[int | None]
    is_closing_report: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (sa.CheckConstraint("percent BETWEEN 0 AND 100", name="percent_range"),)


class Attachment(Model):
    """An evidence file (佐证材料), stored outside any static folder under a generated name: of an item (its
    progress, closing report or answer) or of an indicator figure. One table for both, so backups, restores and
    `check-files` know every evidence file."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("work_items.id"), index=True)
    update_id: Mapped[int | None] = mapped_column(sa.ForeignKey("progress_updates.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    original_name: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(128))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    indicator_report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("indicator_reports.id"), index=True)

    __table_args__ = (sa.CheckConstraint("(item_id IS NULL) != (indicator_report_id IS NULL)",
                                         name="item_or_indicator_report"),)


class Comment(Model):
    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("work_items.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    text: Mapped[str] = mapped_column(sa.Text)


class CommentMention(Model):
    """A person or a unit named with @ in a comment, and so told of it: kept so the thread shows who was asked."""

    __tablename__ = "comment_mentions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("comments.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id"))

    __table_args__ = (sa.CheckConstraint("(user_id IS NULL) <> (unit_id IS NULL)", name="one_mentioned"),)


class ExtensionRequest(Model):
    __tablename__ = "extension_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("work_items.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    current_due: Mapped[date]
    requested_due: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ExtensionStatus] = mapped_column(
        str_enum(ExtensionStatus, "status"), default=ExtensionStatus.PENDING
    )
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_note: Mapped[str | None] = mapped_column(sa.Text)
