"""The settings are read once, when the app is built: a broken ladder, zone, rubric or holidays file stops the
start with words naming the setting, instead of a 500 on the first page that needs it."""
from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import test_config as config_for

from tracker import create_app
from tracker.config import Config, from_environment
from tracker.errors import SettingError
from tracker.models import Role
from tracker.services.plan import workdays
from tracker.settings import settings

ONE_LEVEL = [{"level": 1, "key": "remind", "name": "提醒", "days_overdue": 2}]


def start(tmp_path: Path, **changes: object):
    config = config_for("sqlite://", tmp_path) | changes
    return create_app(config, instance_path=str(tmp_path))


def refusal(tmp_path: Path, **changes: object) -> str:
    with pytest.raises(SettingError) as refused:
        start(tmp_path, **changes)
    return refused.value.message_zh


def test_an_app_starts_with_its_settings_read_once(tmp_path):
    app = start(tmp_path, TRACKER_LADDER=ONE_LEVEL, TRACKER_TIMEZONE="Asia/Urumqi")
    found = settings(app)
    assert [level.days_overdue for level in found.ladder] == [2]
    assert found.timezone == "Asia/Urumqi" and found.zone.key == "Asia/Urumqi"
    assert found.rubric.version and found.upload_dir == tmp_path / "files"
    assert found.calendar.years  # the shipped holidays file


def test_a_ladder_out_of_order_stops_the_start_and_names_it(tmp_path):
    message = refusal(tmp_path, TRACKER_LADDER=[{**ONE_LEVEL[0], "level": 2}])
    assert message == "设置 TRACKER_LADDER 有误:督办阶梯的 level 须为 1、2、3……"


def test_a_time_zone_nobody_knows_stops_the_start_and_names_it(tmp_path):
    message = refusal(tmp_path, TRACKER_TIMEZONE="Asia/Shangai")
    assert message == "设置 TRACKER_TIMEZONE 有误:没有名为 'Asia/Shangai' 的时区(例如 Asia/Shanghai)"


def test_a_broken_rubric_file_stops_the_start_and_names_it(tmp_path):
    broken = tmp_path / "rubric.yaml"
    broken.write_text("plan: x\nversion: 1\n", encoding="utf-8")
    message = refusal(tmp_path, TRACKER_RUBRIC_FILE=str(broken))
    assert message.startswith("设置 TRACKER_RUBRIC_FILE 有误:评分细则文件有误:")


def test_a_broken_holidays_file_stops_the_start_and_says_why(tmp_path):
    broken = tmp_path / "holidays.yaml"
    broken.write_text("source: 通知\nyears:\n  2024:\n    days_off: [2024-10-01/2024-09-01]\n", encoding="utf-8")
    message = refusal(tmp_path, TRACKER_HOLIDAYS_FILE=str(broken))
    assert "TRACKER_HOLIDAYS_FILE" in message
    assert "节假日文件有误:years.2024.days_off[0]: 区间须在 2024 年内且先早后晚" in message


@pytest.mark.parametrize(("name", "value"), [
    ("TRACKER_SCAN_TIME", "25:00"), ("TRACKER_DIGEST_WEEKDAY", 7), ("TRACKER_WARNING_DAYS", "七"),
    ("TRACKER_LOCKOUT_MINUTES", -5), ("TRACKER_SMTP_PORT", "twenty-five"),
    ("TRACKER_NOTICE_NUMBER_FORMAT", "{kind}〔{yr}〕"), ("TRACKER_WEBHOOK_ALLOW", "not a host!"),
    ("TRACKER_LIVE_STREAMS", -1),
])
def test_every_other_setting_is_checked_at_start_too(tmp_path, name, value):
    assert f"设置 {name} 有误" in refusal(tmp_path, **{name: value})


@pytest.mark.parametrize(("name", "value", "said"), [
    ("TRACKER_DIGEST_WEEKDAY", -1, "-1 须为 0(周一)至 6(周日)"), ("TRACKER_DIGEST_WEEKDAY", 7, "7 须为 0(周一)至 6(周日)"),
    ("TRACKER_LOCKOUT_MINUTES", -5, "-5 不能为负数"),
])
def test_a_whole_number_out_of_its_range_is_refused_in_words_that_give_the_range(tmp_path, name, value, said):
    assert f"设置 {name} 有误:{said}" in refusal(tmp_path, **{name: value})


def test_an_environment_variable_that_is_not_json_is_refused_by_name():
    with pytest.raises(SettingError, match="环境变量 TRACKER_LADDER 不是有效的JSON"):
        from_environment({"TRACKER_LADDER": "[broken"})


def test_the_defaults_are_a_working_configuration(tmp_path):
    assert settings(start(tmp_path)).ladder[-1].name == "通报"
    assert Config.TRACKER_TIMEZONE == settings(start(tmp_path)).timezone


def test_an_empty_holidays_setting_counts_monday_to_friday(tmp_path):
    assert settings(start(tmp_path, TRACKER_HOLIDAYS_FILE="")).calendar == workdays.WEEKDAYS_ONLY


def test_mail_is_off_without_a_host_and_on_with_one(tmp_path):
    assert settings(start(tmp_path, TRACKER_SMTP_HOST="")).smtp is None
    smtp = settings(start(tmp_path / "mail", TRACKER_SMTP_HOST="mail.example", TRACKER_SMTP_PORT=587)).smtp
    assert smtp is not None and (smtp.host, smtp.port, smtp.sender) == ("mail.example", 587, "tracker@localhost")


def test_an_unknown_role_among_the_two_factor_roles_stops_the_start_and_names_it(tmp_path):
    message = refusal(tmp_path, TRACKER_TWO_FACTOR_ROLES="office_admin, mayor")
    assert message.startswith("设置 TRACKER_TWO_FACTOR_ROLES 有误:") and "mayor" in message


def test_the_office_and_leaders_sign_in_with_two_factors_unless_configured_otherwise(tmp_path):
    assert settings(start(tmp_path, TRACKER_TWO_FACTOR_ROLES="office_admin,leader")).security.two_factor_roles == {
        Role.OFFICE_ADMIN, Role.LEADER}
    assert settings(start(tmp_path, TRACKER_TWO_FACTOR_ROLES="none")).security.two_factor_roles == frozenset()
