"""Working days (工作日) as the State Council's yearly holiday notice sets them, kept as data
(`seed_tasks/holidays_cn.yaml`, TRACKER_HOLIDAYS_FILE): weekdays off (放假) and weekend days worked (调休上班). So
"the first working day of the month", when the scheduler drafts the 通报, is the office's first day back: 8 October
after National Day, not 1 October. A year the file does not list counts Monday to Friday.

The file is checked like the other seed files: every problem with its location, and nothing is used when any is
found.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from marshmallow import fields, validate

from .seed_files import FileProblems, _load, _StrictSchema, read_yaml

SPAN = "/"  # 2024-10-01/2024-10-07: every day from the first to the last, both included


@dataclass(frozen=True)
class Calendar:
    off: frozenset[date] = frozenset()
    work: frozenset[date] = frozenset()
    years: frozenset[int] = frozenset()

    def is_working_day(self, day: date) -> bool:
        if day in self.work:
            return True
        return day not in self.off and day.weekday() < 5

    def after_working_days(self, day: date, count: int) -> date:
        """The day `count` working days after `day` (day itself not counted): where a window of working days
        closes."""
        while count > 0:
            day += timedelta(days=1)
            count -= self.is_working_day(day)
        return day

    def first_working_day(self, year: int, month: int) -> date:
        day = date(year, month, 1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


WEEKDAYS_ONLY = Calendar()


class YearSchema(_StrictSchema):
    # not `off`/`on`: YAML 1.1 reads those words as booleans
    days_off = fields.List(fields.String(), load_default=list)
    weekends_worked = fields.List(fields.String(), load_default=list)


class HolidaysFileSchema(_StrictSchema):
    source = fields.String(required=True, validate=validate.Length(min=1, max=200))
    years = fields.Dict(keys=fields.Integer(strict=True, validate=validate.Range(min=1900, max=2999)),
                        values=fields.Raw(), required=True)  # each year read by YearSchema, named by its year


def _days(text: str, year: int, where: str, problems: list[str]) -> list[date]:
    """The days one entry names (a day, or first/last), each in `year`; problems are collected, not raised."""
    try:
        first, _, last = text.partition(SPAN)
        start, end = date.fromisoformat(first.strip()), date.fromisoformat((last or first).strip())
    except ValueError:
        problems.append(f"{where}: 不是日期或日期区间(YYYY-MM-DD 或 YYYY-MM-DD/YYYY-MM-DD):“{text}”")
        return []
    if start > end or start.year != year or end.year != year:
        problems.append(f"{where}: 区间须在 {year} 年内且先早后晚:“{text}”")
        return []
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def parse_calendar(raw: Any) -> Calendar:
    """A valid calendar, or FileProblems listing everything wrong with it: a day listed as both off and worked,
    and a worked day that is not a weekend (it would change nothing), are mistakes."""
    data = _load(HolidaysFileSchema(), raw)
    problems: list[str] = []
    off: set[date] = set()
    work: set[date] = set()
    for year, given in sorted(data["years"].items()):
        try:
            lists = _load(YearSchema(), given)
        except FileProblems as exc:
            problems += [f"years.{year}.{problem}" for problem in exc.problems]
            continue
        for name, into in (("days_off", off), ("weekends_worked", work)):
            for index, text in enumerate(lists[name]):
                into.update(_days(text, year, f"years.{year}.{name}[{index}]", problems))
    problems += [f"years.{day.year}: {day.isoformat()} 同时列为放假和调休上班" for day in sorted(off & work)]
    problems += [f"years.{day.year}.weekends_worked: {day.isoformat()} 不是周末,无须列为调休上班" for day in sorted(work)
                 if day.weekday() < 5]
    if problems:
        raise FileProblems(problems)
    return Calendar(off=frozenset(off), work=frozenset(work), years=frozenset(data["years"]))


def read_calendar(path: Path) -> Calendar:
    return parse_calendar(read_yaml(path))
