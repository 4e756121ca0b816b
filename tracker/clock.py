"""The one place the application reads the wall clock; services receive `now` from their callers."""
from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
