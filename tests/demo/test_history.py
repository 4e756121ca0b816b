"""The demo's history: consistent at every date, the same for the same date, an earlier date a prefix of a later one.

Two builds: a short replay (the plan's first months), and the suite's one long build to the default date, which is
also what a newcomer sees (the session fixture `demo_at_default_date`, shared with every test that reads a demo).
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.demo.demo_helpers import DEMO_DEFAULT_DATE, build_demo, canonical_dump, rows
from tracker import create_app
from tracker.demo.build import DemoPaths, DemoResult, demo_app
from tracker.demo.script import read_script
from tracker.extensions import db
from tracker.models import User
from tracker.config import Config
from tracker.services.ledger import records
from tracker.services.plan import workdays

SHANGHAI = ZoneInfo("Asia/Shanghai")
EARLY, LATER = date(2023, 4, 30), DEMO_DEFAULT_DATE
CALENDAR = workdays.read_calendar(Path(Config.TRACKER_HOLIDAYS_FILE))  # the demo's, as the app's default


@pytest.fixture(scope="module")
def later(demo_at_default_date: tuple[DemoPaths, DemoResult]) -> tuple[DemoPaths, DemoResult]:
    return demo_at_default_date


@pytest.fixture(scope="module")
def early(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoPaths, DemoResult]]:
    yield build_demo(tmp_path_factory.mktemp("early"), EARLY)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.mark.parametrize("which", ["early", "later"])
def test_no_step_of_the_script_is_refused_by_the_services(which: str, request: pytest.FixtureRequest) -> None:
    _paths, result = request.getfixturevalue(which)
    assert result.replay.refused == []
    assert result.replay.steps["sign"] and result.replay.steps["approve"] and result.replay.steps["return"]


@pytest.mark.parametrize("which", ["early", "later"])
def test_nothing_happens_to_an_item_before_it_was_created(which: str, request: pytest.FixtureRequest) -> None:
    paths, _result = request.getfixturevalue(which)
    created = {item_id: _utc(at) for item_id, at in rows(paths, "SELECT id, created_at FROM work_items")}
    for item_id, at, action in rows(paths, "SELECT item_id, at, action FROM events WHERE item_id IS NOT NULL"):
        assert _utc(at) >= created[item_id], (item_id, action)
    for item_id, submitted, completed in rows(
            paths, "SELECT id, submitted_at, completed_at FROM work_items WHERE status = 'done'"):
        assert created[item_id] <= _utc(submitted) <= _utc(completed)


@pytest.mark.parametrize("which", ["early", "later"])
def test_every_record_comes_after_its_due_date_and_says_why(which: str, request: pytest.FixtureRequest) -> None:
    paths, _result = request.getfixturevalue(which)
    records = rows(paths, "SELECT issued_at, due_date, reason FROM accountability_records")
    for issued_at, due, reason in records:
        issued_day = _utc(issued_at).astimezone(SHANGHAI).date()
        assert issued_day >= date.fromisoformat(due) + timedelta(days=1)
        assert reason.strip()
    if which == "later":
        assert records


def test_an_earlier_date_gives_the_same_past_as_a_later_one(early: tuple[DemoPaths, DemoResult],
                                                            later: tuple[DemoPaths, DemoResult]) -> None:
    (short, short_result), (long, long_result) = early, later
    short_events = rows(short, "SELECT * FROM events ORDER BY id")
    assert short_events == rows(long, "SELECT * FROM events ORDER BY id LIMIT ?", len(short_events))
    short_records = set(rows(short, "SELECT item_id, kind, level, due_date, issued_at, reason "
                                    "FROM accountability_records"))
    assert short_records <= set(rows(long, "SELECT item_id, kind, level, due_date, issued_at, reason "
                                           "FROM accountability_records"))
    short_digests = rows(short, "SELECT period_key, recipient_key, text FROM digests ORDER BY id")
    assert short_digests == rows(long, "SELECT period_key, recipient_key, text FROM digests ORDER BY id LIMIT ?",
                                 len(short_digests))
    assert short_result.columns["done"] <= long_result.columns["done"]
    assert short_result.replay.days < long_result.replay.days


def test_the_same_date_twice_gives_identical_data(early: tuple[DemoPaths, DemoResult], tmp_path: Path) -> None:
    again, _result = build_demo(tmp_path / "again", EARLY)
    first, second = canonical_dump(early[0]), canonical_dump(again)
    assert first.keys() == second.keys()
    for table in first:
        assert first[table] == second[table], table
    assert first["events"] and first["(files)"]


def test_the_scheduler_jobs_ran_once_per_day_and_per_monday(later: tuple[DemoPaths, DemoResult]) -> None:
    paths, result = later
    days = (LATER - date(2023, 1, 1)).days + 1
    mondays = sum(1 for n in range(days) if (date(2023, 1, 1) + timedelta(days=n)).weekday() == 0)
    months = sum(1 for n in range(days) if (day := date(2023, 1, 1) + timedelta(days=n)) ==
                 CALENDAR.first_working_day(day.year, day.month))
    runs = dict(rows(paths, "SELECT job, count(*) FROM job_runs WHERE outcome = 'ok' GROUP BY job"))
    assert runs == {"scan": days, "digest": mondays, "bulletin": months}
    recipients = rows(paths, "SELECT count(DISTINCT recipient_key) FROM digests")[0][0]
    assert result.digests == mondays * recipients


def test_evidence_files_are_stored_as_their_hashes_say(later: tuple[DemoPaths, DemoResult]) -> None:
    paths, _result = later
    attachments = rows(paths, "SELECT stored_name, sha256, content_type FROM attachments")
    assert {kind for _n, _h, kind in attachments} == {"application/pdf", "image/png"}
    for stored, sha256, _kind in attachments:
        assert hashlib.sha256((paths.files / stored).read_bytes()).hexdigest() == sha256


def test_mid_plan_the_city_has_cards_in_every_column_and_records_at_every_level(
        later: tuple[DemoPaths, DemoResult]) -> None:
    paths, result = later
    assert result.replay.refused == []
    assert all(count > 0 for count in result.columns.values()), result.columns
    assert {"提醒", "催办", "督办", "通报"} <= set(result.records)
    statuses = dict(rows(paths, "SELECT status, count(*) FROM accountability_records GROUP BY status"))
    assert statuses.keys() >= {"open", "closed", "settled"}  # answered ones wait days for the office, then close
    assert rows(paths, "SELECT count(*) FROM accountability_records WHERE answered_at IS NOT NULL")[0][0] > 0
    extensions = dict(rows(paths, "SELECT status, count(*) FROM extension_requests GROUP BY status"))
    assert extensions.keys() >= {"granted", "refused"}
    done_share = dict(rows(paths, "SELECT u.key, avg(w.status = 'done') FROM work_items w "
                                  "JOIN units u ON u.id = w.unit_id GROUP BY u.key"))
    assert len({round(share, 2) for share in done_share.values()}) > 5


def test_on_the_demo_day_no_open_record_belongs_to_an_approved_item(later: tuple[DemoPaths, DemoResult]) -> None:
    paths, _result = later
    assert rows(paths, "SELECT count(*) FROM accountability_records r JOIN work_items w ON w.id = r.item_id "
                       "WHERE w.status = 'done' AND r.status IN ('open', 'answered')") == [(0,)]
    assert rows(paths, "SELECT count(*) FROM accountability_records WHERE status = 'settled'")[0][0] > 0


def test_the_ledgers_awaiting_answer_count_is_the_open_supervision_notices_of_open_items(
        later: tuple[DemoPaths, DemoResult]) -> None:
    paths, _result = later
    (owed,) = rows(paths, "SELECT count(*) FROM accountability_records r JOIN work_items w ON w.id = r.item_id "
                          "WHERE w.status != 'done' AND r.status = 'open' AND r.level_name = '督办'")[0]
    application = demo_app(create_app, paths)
    with application.app_context():
        office = db.session.execute(sa.select(User).where(User.username == "office")).scalar_one()
        counts = records.counts(actor=office)
        db.session.remove()
        db.engine.dispose()
    assert counts.awaiting_answer == owed > 0


def test_every_month_has_its_tongbao_most_issued_in_number_order_and_frozen(later: tuple[DemoPaths, DemoResult]
                                                                         ) -> None:
    paths, _result = later
    found = rows(paths, "SELECT kind, period, status, number, data IS NOT NULL FROM bulletins ORDER BY id")
    drafted = [f"{y}-{m:02d}" for y in (2023, 2024, 2025) for m in range(1, 13)  # drafted once the month is over
               if CALENDAR.first_working_day(y + m // 12, m % 12 + 1) <= LATER]
    assert [period for kind, period, *_ in found if kind == "month"] == drafted
    assert [period for kind, period, *_ in found if kind == "quarter"] == [
        f"{key[:4]}-Q{int(key[5:]) // 3}" for key in drafted if int(key[5:]) % 3 == 0]
    issued = [(number, frozen) for _k, _p, status, number, frozen in found if status == "issued"]
    assert 0 < len(issued) < len(found) and all(frozen for _n, frozen in issued)
    by_year = {year: sorted(int(n.split("〕")[1].removesuffix("号")) for n, _f in issued if f"〔{year}〕" in n)
               for year in (2023, 2024)}
    assert all(numbers == list(range(1, len(numbers) + 1)) for numbers in by_year.values()), by_year


def test_the_demo_freezes_the_years_over_and_scores_the_last_one_with_a_spread(
        later: tuple[DemoPaths, DemoResult]) -> None:
    paths, result = later
    assert result.scores["frozen"] == [2023] and result.scores["year"] == 2024
    assert float(result.scores["highest"]) > float(result.scores["lowest"])
    assert rows(paths, "SELECT year, rubric_version FROM assessments") == [(2023, "2024.1")]


def test_some_units_miss_periodic_reports_and_those_that_always_report_do_not(
        later: tuple[DemoPaths, DemoResult]) -> None:
    paths, _result = later
    missed = dict(rows(paths, "SELECT units.key, COUNT(*) FROM missed_reports "
                              "JOIN units ON units.id = missed_reports.unit_id GROUP BY units.key"))
    signed = {key for (key,) in rows(paths, "SELECT DISTINCT units.key FROM work_items "
                                            "JOIN units ON units.id = work_items.unit_id WHERE status != 'assigned'")}
    assert len(missed) >= 3 and set(missed) < signed, missed
    always = {key for key, name in read_script().units["by_key"].items() if name == "punctual"}
    assert always and not always & set(missed)  # their profile reports in every monthly period
    assert rows(paths, "SELECT COUNT(*) FROM events WHERE action = 'item.missed_report'") == [(sum(missed.values()),)]
