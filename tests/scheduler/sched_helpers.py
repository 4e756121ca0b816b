"""Helpers shared by the scheduler's tests (imported by name: tests/ is not a package)."""
from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant given as Shanghai wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def send(settings, channel: str, *, now: datetime | None = None) -> dict[str, int]:
    """One delivery round of one channel ("webhook", "notification_mail", "digest_mail"), as the runner's tick
    sends after its jobs."""
    from tracker.scheduler import delivery

    found = delivery.channels(allow=settings.webhook_allow, smtp=settings.smtp)
    return delivery.deliver(found[channel], holder="test-scheduler", now=now)
