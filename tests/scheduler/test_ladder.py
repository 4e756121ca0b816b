"""The ladder as pure functions: levels reached, reasons in words, and configuration checks."""
from datetime import date

import pytest

from tracker.config import DEFAULT_LADDER, from_environment
from tracker.errors import Invalid
from tracker.services.ledger.ladder import current_level, ladder_reason, levels_reached, parse_ladder

LADDER = parse_ladder(DEFAULT_LADDER)


@pytest.mark.parametrize(("days", "names"), [
    (0, []), (1, ["提醒"]), (6, ["提醒"]), (7, ["提醒", "催办"]), (14, ["提醒", "催办"]),
    (15, ["提醒", "催办", "督办"]), (29, ["提醒", "催办", "督办"]), (30, ["提醒", "催办", "督办", "通报"]),
    (400, ["提醒", "催办", "督办", "通报"]),
])
def test_levels_reached_follow_the_default_ladder(days, names):
    assert [lv.name for lv in levels_reached(days, LADDER)] == names


def test_current_level_is_the_highest_reached():
    assert current_level(0, LADDER) is None
    assert current_level(16, LADDER).name == "督办"


def test_reason_says_days_and_notice_in_words():
    supervise = LADDER[2]
    assert ladder_reason(supervise, 16, date(2024, 1, 21)) == \
        "逾期 16 天,已发督办通知,须于 2024-01-21 前书面说明原因并报送整改时限"
    assert ladder_reason(LADDER[0], 1, None) == "逾期 1 天,已发提醒"


def test_a_custom_ladder_is_configuration_not_code():
    ladder = parse_ladder([{"level": 1, "key": "remind", "name": "提醒", "days_overdue": 3},
                           {"level": 2, "key": "interview", "name": "约谈", "days_overdue": 10}])
    assert [lv.name for lv in levels_reached(10, ladder)] == ["提醒", "约谈"]
    assert ladder_reason(ladder[1], 10, None) == "逾期 10 天,已发约谈通知"


@pytest.mark.parametrize("raw", [
    [],
    [{"level": 1, "key": "a", "name": "A", "days_overdue": 0}],
    [{"level": 1, "key": "a", "name": "A", "days_overdue": 5}, {"level": 2, "key": "b", "name": "B",
                                                                  "days_overdue": 5}],
    [{"level": 2, "key": "a", "name": "A", "days_overdue": 1}],
    [{"level": 1, "key": "a", "days_overdue": 1}],
])
def test_a_malformed_ladder_is_refused(raw):
    with pytest.raises(Invalid):
        parse_ladder(raw)


def test_ladder_and_smtp_settings_come_from_the_environment():
    found = from_environment({"TRACKER_LADDER": '[{"level": 1, "key": "remind", "name": "提醒", "days_overdue": 2}]',
                              "TRACKER_SMTP_PORT": "587", "TRACKER_SMTP_STARTTLS": "true",
                              "TRACKER_DIGEST_WEEKDAY": "4"})
    assert parse_ladder(found["TRACKER_LADDER"])[0].days_overdue == 2
    assert found["TRACKER_SMTP_PORT"] == 587 and found["TRACKER_SMTP_STARTTLS"] is True
    assert found["TRACKER_DIGEST_WEEKDAY"] == 4
