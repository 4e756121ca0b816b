"""Traffic lights and the overdue boundary at midnight in the plan's time zone."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from tracker.models import ItemStatus
from tracker.services.work.deadlines import Light, days_overdue, light, local_today

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_item_due_31_dec_is_not_overdue_at_23_59_shanghai():
    now = datetime(2023, 12, 31, 23, 59, tzinfo=SHANGHAI)
    today = local_today(now, "Asia/Shanghai")
    assert light(status=ItemStatus.IN_PROGRESS, due=date(2023, 12, 31), today=today, warning_days=7) == Light.YELLOW
    assert days_overdue(date(2023, 12, 31), today) == 0


def test_item_due_31_dec_is_overdue_at_midnight_shanghai_not_at_eight():
    midnight_shanghai = datetime(2023, 12, 31, 16, 0, tzinfo=timezone.utc)
    today = local_today(midnight_shanghai, "Asia/Shanghai")
    assert today == date(2024, 1, 1)
    assert light(status=ItemStatus.ASSIGNED, due=date(2023, 12, 31), today=today, warning_days=7) == Light.RED
    assert days_overdue(date(2023, 12, 31), today) == 1


@pytest.mark.parametrize(("due", "expected"), [
    (date(2024, 1, 20), Light.GREEN),
    (date(2024, 1, 8), Light.YELLOW),
    (date(2024, 1, 9), Light.GREEN),
    (date(2024, 1, 1), Light.YELLOW),
    (date(2023, 12, 31), Light.RED),
    (None, Light.GREEN),
])
def test_light_follows_the_warning_window(due, expected):
    assert light(status=ItemStatus.IN_PROGRESS, due=due, today=date(2024, 1, 1), warning_days=7) == expected


def test_done_items_have_no_light():
    assert light(status=ItemStatus.DONE, due=date(2020, 1, 1), today=date(2024, 1, 1), warning_days=7) is None
