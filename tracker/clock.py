"""The one place the application reads the wall clock; services receive `now` from their callers.

TRACKER_CLOCK_AT stops the application's clock at one moment. Only the demo sets it (`flask tracker demo`):
its replay sets it to each moment it plays, and the demo server keeps it at the replay's last evening, so that
the board, lights and sessions all read the demo's day rather than today's. Real installs leave it empty.
"""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def utcnow() -> datetime:
    if has_app_context():
        frozen = current_app.config.get("TRACKER_CLOCK_AT")
        if frozen:
            return frozen_time(frozen, current_app.extensions["tracker_settings"].timezone)  # tracker/settings.py
    return datetime.now(timezone.utc)


def frozen_time(value: datetime | str, zone: str) -> datetime:
    """A TRACKER_CLOCK_AT value as an aware UTC datetime; without an offset it is read in the plan's zone."""
    at = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if at.tzinfo is None:
        at = at.replace(tzinfo=ZoneInfo(zone))
    return at.astimezone(timezone.utc)
