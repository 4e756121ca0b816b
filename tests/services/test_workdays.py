"""Working days as the State Council's holiday notice sets them (seed_tasks/holidays_cn.yaml): holidays on
weekdays, weekends worked instead (调休), and a broken file refused with every problem and its place."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tracker.config import Config
from tracker.services.plan import workdays
from tracker.services.plan.seed_files import FileProblems

SHIPPED = workdays.read_calendar(Path(Config.TRACKER_HOLIDAYS_FILE))


@pytest.mark.parametrize("day, working", [
    (date(2024, 10, 1), False),  # 国庆节, a Tuesday
    (date(2024, 10, 8), True),
    (date(2024, 10, 12), True),  # a Saturday worked instead
    (date(2024, 10, 13), False),  # a plain Sunday
    (date(2025, 1, 26), True),  # the Sunday before 春节
    (date(2025, 1, 28), False),
    (date(2027, 10, 1), True),  # a Friday of a year the file does not list
])
def test_a_day_works_as_the_notice_says(day, working):
    assert SHIPPED.is_working_day(day) is working


def test_the_shipped_file_lists_the_plans_years():
    assert SHIPPED.years == {2023, 2024, 2025}


def test_a_broken_holidays_file_is_refused_with_every_problem_and_its_place():
    with pytest.raises(FileProblems) as refused:
        workdays.parse_calendar({"source": "通知", "years": {2024: {
            "days_off": ["2024-10-01/2024-10-07", "2024-02-30", "2024-05-05/2024-05-01", "2025-01-01"],
            "weekends_worked": ["2024-10-12", "2024-10-07", "2024-10-08"], "colour": "red"}}})
    assert refused.value.problems == ["years.2024.colour: Unknown field."]
    with pytest.raises(FileProblems) as refused:
        workdays.parse_calendar({"source": "通知", "years": {2024: {
            "days_off": ["2024-10-01/2024-10-07", "2024-02-30", "2024-05-05/2024-05-01", "2025-01-01"],
            "weekends_worked": ["2024-10-12", "2024-10-07", "2024-10-08"]}}})
    assert refused.value.problems == [
        "years.2024.days_off[1]: 不是日期或日期区间(YYYY-MM-DD 或 YYYY-MM-DD/YYYY-MM-DD):“2024-02-30”",
        "years.2024.days_off[2]: 区间须在 2024 年内且先早后晚:“2024-05-05/2024-05-01”",
        "years.2024.days_off[3]: 区间须在 2024 年内且先早后晚:“2025-01-01”",
        "years.2024: 2024-10-07 同时列为放假和调休上班",
        "years.2024.weekends_worked: 2024-10-07 不是周末,无须列为调休上班",
        "years.2024.weekends_worked: 2024-10-08 不是周末,无须列为调休上班",
    ]
