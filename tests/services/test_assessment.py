"""Year-end scores by the rubric kept as data: counted in the plan's time zone, capped, frozen for good."""
from __future__ import annotations

import io
import re
import shutil
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import sqlalchemy as sa
import yaml
from flask import current_app
from tests.assessment_helpers import RUBRIC
from tests.conftest import closing_evidence

from tracker.errors import Invalid, InvalidTransition, NotAllowed
from tracker.extensions import db
from tracker.models import AccountabilityRecord, Assessment, Event, Indicator, ItemStatus, MissedReport, Role
from tracker.services.assessment import annual, indicator_reports
from tracker.services.ledger import escalation
from tracker.services.plan import plans
from tracker.services.work import progress, workflow
from tracker.services.ledger.ladder import parse_ladder
from tracker.services.plan.seed_files import FileProblems
from tracker.services.assessment.rubric import parse_rubric, read_rubric

SHANGHAI = ZoneInfo("Asia/Shanghai")


def sh(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


FINAL_2024 = sh(2025, 2, 1)  # 2024's last indicator figures were due on 31 January (the plan's indicator_due_days)


@pytest.fixture
def ladder(app):
    return parse_ladder(app.config["TRACKER_LADDER"])


@pytest.fixture
def scenario(make_item, make_user, office, plan, tmp_path):
    """市公安局's 2024, built fact by fact:
    - 3 items approved in 2024 and submitted on time, 1 submitted late, 1 on time but approved in 2023;
    - 1 return in 2024;
    - 催办 ×3 in 2024 (one at 23:30 on 31 Dec, Shanghai), 1 on 31 Dec 2023 at 23:30 (counts for 2023);
      督办 ×1, 通报 ×1, 督办未答复 ×1, and a 提醒 the rubric does not count;
    - 2 periodic reports missed in 2024 (and 1 in 2023);
    - 2024's lectures reported as 2 against a target of 4, accepted (not met); every other indicator it reports
      left unreported.
    """
    admin = make_user(Role.UNIT_ADMIN, "gaj")

    def finish(due: date, submitted: datetime, approved: datetime, title: str):
        item = make_item("gaj", due=due, title=title)
        workflow.move(item, actor=admin, to=ItemStatus.IN_PROGRESS, expected_version=item.version,
                      now=submitted - timedelta(days=1))
        workflow.move(item, actor=admin, to=ItemStatus.SUBMITTED, expected_version=item.version, now=submitted,
                      note="办结报告", evidence=closing_evidence(current_app))
        workflow.review(item, actor=office, decision="approve", expected_version=item.version, now=approved)
        return item

    on_time = [finish(date(2024, 6, 30), sh(2024, 6, 20), sh(2024, 7, 2), f"按时事项{n}") for n in range(3)]
    finish(date(2024, 3, 31), sh(2024, 4, 10), sh(2024, 4, 12), "逾期办结事项")
    finish(date(2023, 12, 31), sh(2023, 12, 20), sh(2023, 12, 31, 23, 30), "上年度办结事项")
    returned = make_item("gaj", due=date(2024, 9, 30), title="被退回事项")
    workflow.move(returned, actor=admin, to=ItemStatus.IN_PROGRESS, expected_version=returned.version,
                  now=sh(2024, 9, 1))
    workflow.move(returned, actor=admin, to=ItemStatus.SUBMITTED, expected_version=returned.version,
                  now=sh(2024, 9, 10), note="办结报告", evidence=closing_evidence(current_app))
    workflow.review(returned, actor=office, decision="return", reason="佐证材料不全", expected_version=returned.version,
                    now=sh(2024, 9, 12))
    late = make_item("gaj", due=date(2023, 11, 30), title="长期逾期事项")
    record = 0

    def issue(level: int, name: str, at: datetime, kind: str = "ladder", answer_due: date | None = None):
        nonlocal record
        record += 1
        db.session.add(AccountabilityRecord(
            item_id=late.id, unit_id=late.unit_id, kind=kind, level=level, level_name=name,
            due_date=date(2000, 1, 1) + timedelta(days=record), reason="测试", issued_at=at, answer_due=answer_due))

    for at in (sh(2024, 1, 8), sh(2024, 5, 8), sh(2024, 12, 31, 23, 30)):
        issue(2, "催办", at)
    issue(2, "催办", sh(2023, 12, 31, 23, 30))
    issue(1, "提醒", sh(2024, 2, 1))
    issue(3, "督办", sh(2024, 2, 15), answer_due=date(2024, 2, 20))
    issue(3, "督办未答复", sh(2024, 2, 21), kind="unanswered")
    issue(4, "通报", sh(2024, 3, 1))
    for period, due in (("2024-05", date(2024, 5, 25)), ("2024-06", date(2024, 6, 25)), ("2023-12", date(2023, 12, 25))):
        db.session.add(MissedReport(item_id=late.id, unit_id=late.unit_id, period=period, due_on=due,
                                    flagged_at=sh(due.year, due.month, due.day + 1)))
    lectures = db.session.execute(sa.select(Indicator).where(Indicator.key == "lectures")).scalar_one()
    plans.set_parameters(plan, actor=office, values={lectures.target_parameter_id: "4"}, now=sh(2024, 1, 2))
    figure = indicator_reports.report(lectures, actor=admin, period="2024", value=Decimal(2), note="全年举办 2 次", files=[],
                               storage=progress.Storage(folder=tmp_path, max_bytes=1 << 20), now=sh(2024, 12, 20))
    indicator_reports.decide(figure, actor=office, decision="accept", expected_version=figure.version, now=sh(2024, 12, 21))
    db.session.flush()
    return {"on_time": on_time, "returned": returned, "late": late}


def reported_by_gaj_in_2024() -> int:
    """How many yearly figures 市公安局 (a city department, an enforcement body) owes for 2024, read off the plan
    file's indicators by their reporters and years."""
    plan_file = yaml.safe_load((RUBRIC.parent / "plan_2023_2025.yaml").read_text(encoding="utf-8"))
    owed = 0
    for indicator in plan_file["indicators"]:
        who = indicator["reporters"]
        if not ("city_dept" in who["kinds"] or "enforcement" in who["tags"] or "gaj" in who["units"]):
            continue
        if indicator.get("first_year", 2023) <= 2024 <= indicator.get("last_year", 2025):
            owed += 1
    return owed


def by_hand(rules: dict, counts: dict[str, int], base: Decimal) -> Decimal:
    """The rubric applied with pencil and paper: points × count, capped, added or deducted."""
    total = base
    for kind, count in counts.items():
        rule = rules[kind]
        subtotal = min(Decimal(str(rule["points"])) * count, Decimal(str(rule["cap"])))
        total += subtotal if kind == "done_on_time" else -subtotal
    return total


def test_one_units_2024_score_recomputed_by_hand_matches_the_command(app, scenario, unit):
    raw = yaml.safe_load(RUBRIC.read_text(encoding="utf-8"))
    rules = {rule["kind"]: rule for rule in raw["rules"]}
    owed = reported_by_gaj_in_2024()
    counts = {"done_on_time": 3, "urge": 3, "supervise": 1, "bulletin": 1, "unanswered": 1, "returned": 1,
              "missed_report": 2, "indicator_not_met": 1, "indicator_not_reported": owed - 1}
    expected = by_hand(rules, counts, Decimal(str(raw["base"])))
    assert owed - 1 >= 5  # so 2 points each reach the cap of 10
    assert expected == Decimal("100") + Decimal("1.5") - Decimal("1.5") - 1 - 2 - 2 - Decimal("0.5") \
        - Decimal("0.4") - 1 - 10  # 83.1

    result = app.test_cli_runner().invoke(args=["tracker", "assess", "--year", "2024"])

    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if re.search(r"\s市公安局\s", line))
    assert line.split()[2] == annual.number(expected)
    assert "名次" in result.output and "得分" in result.output and "催办" in result.output


def test_each_rule_lists_the_facts_it_counted_with_their_evidence(app, scenario, plan, ladder, make_user):
    data = annual.compute(plan=plan, year=2024, rubric=read_rubric(RUBRIC), ladder=ladder, now=FINAL_2024)
    gaj = next(u for u in data["units"] if u["unit_name"] == "市公安局")
    counted = {rule["kind"]: rule["count"] for rule in gaj["rules"]}
    assert counted == {"done_on_time": 3, "urge": 3, "supervise": 1, "bulletin": 1, "unanswered": 1, "returned": 1,
                       "missed_report": 2, "indicator_not_met": 1, "indicator_not_reported": reported_by_gaj_in_2024() - 1}
    shown = annual.visible(data, actor=make_user(Role.LEADER, "city"))
    facts = next(u for u in shown["units"] if u["unit_id"] == gaj["unit_id"])["facts"]
    on_time = {f["href"] for f in facts if f["rule"] == "done_on_time"}
    assert on_time == {f"/items/{item.id}" for item in scenario["on_time"]}
    records = [f for f in facts if f["ref"] == "record"]
    assert all(f["href"] == f"/items/{scenario['late'].id}#record-{f['id']}" for f in records)
    assert "2024-12-31" in {f["day"] for f in records if f["rule"] == "urge"}  # 23:30 Shanghai is still 2024
    assert {f["href"] for f in facts if f["rule"] == "missed_report"} == {f"/items/{scenario['late'].id}"}
    (missed,) = [f for f in facts if f["rule"] == "indicator_not_met"]
    assert missed["href"] == f"/indicators/{missed['id']}/history?unit={gaj['unit_id']}&period=2024"
    assert missed["detail"] == "2024 目标 4,实际 2"


def test_a_deduction_stops_at_its_cap_and_the_score_at_the_floor():
    rubric = parse_rubric({"plan": "p", "version": "1", "title": "t", "base": 10, "floor": 0, "rules": [
        {"kind": "urge", "label": "催办", "points": 1, "cap": 4},
        {"kind": "bulletin", "label": "通报", "points": 5}]}, sha256="x")
    urge, bulletin = rubric.rules
    assert urge.subtotal(9) == -4 and bulletin.subtotal(3) == -15
    assert annual.number(max(rubric.base + urge.subtotal(9) + bulletin.subtotal(3), rubric.floor)) == "0"


def test_scores_take_one_query_per_kind_of_fact_whatever_the_number_of_units(app, scenario, plan, ladder,
                                                                             count_queries):
    rubric = read_rubric(RUBRIC)
    with count_queries() as statements:
        data = annual.compute(plan=plan, year=2024, rubric=rubric, ladder=ladder, now=FINAL_2024)
    assert len(data["units"]) > 20
    # units, items done on time, records, returns; missed reports and their items' titles; the plan's indicators,
    # and indicators.outcomes' own three (units, indicators, newest reports); the day the year is final; the plan's
    # X values the titles read (once for the four queries naming items)
    assert len(statements) == 12


def test_a_bad_rubric_file_is_refused_with_every_problem_and_its_location(app, tmp_path, plan):
    bad = tmp_path / "rubric.yaml"
    bad.write_text("plan: fzzf-2023-2025\nversion: '1'\nbase: 100\nfloor: 120\nrules:\n"
                   "  - {kind: urge, label: 催办, points: -1}\n"
                   "  - {kind: lateness, label: 迟到, points: 1}\n"
                   "  - {kind: bulletin, label: 通报, points: 2, cap: 0, colour: red}\n", encoding="utf-8")
    events = db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar()

    result = app.test_cli_runner().invoke(args=["tracker", "assess", "--year", "2024", "--rubric", str(bad)])

    assert result.exit_code == 1
    for where in ("title:", "floor:", "rules[0].points:", "rules[1].kind:", "rules[2].cap:", "rules[2].colour:"):
        assert where in result.output, where
    assert "未写入任何数据" in result.output
    assert db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar() == events


def test_a_rule_counted_twice_is_refused_with_its_place():
    with pytest.raises(FileProblems) as refused:
        parse_rubric({"plan": "p", "version": "1", "title": "t", "base": 100, "rules": [
            {"kind": "urge", "label": "催办", "points": 1}, {"kind": "urge", "label": "催办", "points": 2}]},
            sha256="x")
    assert refused.value.problems == ["rules[1].kind: 重复的 kind “urge”"]


def test_a_frozen_year_is_unchanged_after_a_rubric_change_and_a_rescan(app, scenario, plan, ladder, office,
                                                                       tmp_path):
    frozen_at = sh(2025, 2, 5)
    rubric = read_rubric(RUBRIC)
    annual.freeze(plan=plan, year=2024, rubric=rubric, ladder=ladder, actor=office, now=frozen_at)
    before = annual.result(plan=plan, year=2024, rubric=rubric, ladder=ladder, now=FINAL_2024)

    harsher = tmp_path / "rubric.yaml"
    shutil.copy(RUBRIC, harsher)
    harsher.write_text(harsher.read_text(encoding="utf-8").replace("base: 100", "base: 60"), encoding="utf-8")
    escalation.scan(now=sh(2024, 12, 31, 12), ladder=ladder, timezone=plan.timezone)
    changed = read_rubric(harsher)
    assert annual.compute(plan=plan, year=2024, rubric=changed, ladder=ladder,
                              now=FINAL_2024)["units"] != before["units"]

    after = annual.result(plan=plan, year=2024, rubric=changed, ladder=ladder, now=FINAL_2024)
    assert after == before
    assert after["rubric"]["hash"] == rubric.sha256 != changed.sha256
    stored = db.session.execute(sa.select(Assessment)).scalar_one()
    assert (stored.year, stored.rubric_version, stored.frozen_by_id) == (2024, "2024.1", office.id)
    event = db.session.execute(sa.select(Event).where(Event.action == "assessment.freeze")).scalar_one()
    assert event.after["year"] == 2024 and event.actor_id == office.id


def test_freezing_a_year_twice_is_refused_saying_when_it_was_frozen(plan, ladder, office):
    rubric = read_rubric(RUBRIC)
    annual.freeze(plan=plan, year=2023, rubric=rubric, ladder=ladder, actor=office, now=sh(2024, 2, 2))
    with pytest.raises(InvalidTransition, match="已于 2024-02-02 09:00 定稿,不能重复定稿"):
        annual.freeze(plan=plan, year=2023, rubric=rubric, ladder=ladder, actor=office, now=sh(2024, 3, 2))


def test_only_the_office_freezes_and_only_a_year_that_is_over(plan, ladder, office, make_user):
    rubric = read_rubric(RUBRIC)
    with pytest.raises(NotAllowed):
        annual.freeze(plan=plan, year=2023, rubric=rubric, ladder=ladder, actor=make_user(Role.LEADER, "city"),
                          now=sh(2024, 1, 2))
    with pytest.raises(Invalid, match="尚未结束"):
        annual.freeze(plan=plan, year=2024, rubric=rubric, ladder=ladder, actor=office,
                          now=sh(2024, 12, 31, 23, 59))
    with pytest.raises(Invalid, match="考核年度须在 2023 至 2025"):
        annual.compute(plan=plan, year=2026, rubric=rubric, ladder=ladder, now=FINAL_2024)
    assert db.session.execute(sa.select(Assessment)).first() is None


def test_a_figure_not_yet_due_is_awaited_not_deducted_and_the_score_says_it_is_provisional(scenario, plan, ladder):
    rubric = read_rubric(RUBRIC)
    on_the_last_day = annual.compute(plan=plan, year=2024, rubric=rubric, ladder=ladder,
                                         now=sh(2025, 1, 31, 23, 59))
    gaj = next(u for u in on_the_last_day["units"] if u["unit_name"] == "市公安局")
    counted = {rule["kind"]: rule["count"] for rule in gaj["rules"]}
    assert counted["indicator_not_reported"] == 0 and counted["indicator_not_met"] == 1  # a figure in is judged
    assert gaj["awaited"] == reported_by_gaj_in_2024() - 1
    assert on_the_last_day["provisional"] and on_the_last_day["figures_due_until"] == "2025-01-31"
    assert on_the_last_day["as_of"] == "2025-01-31"
    assert on_the_last_day["final_on"] == "2025-02-01"
    assert "指标数据报送期限至 2025-01-31" in annual.provisional_words(on_the_last_day)
    title_row = openpyxl.load_workbook(io.BytesIO(annual.workbook(on_the_last_day)))["汇总"]["A1"].value
    assert "未定稿" in title_row and "得分暂定(截至 2025-01-31)" in title_row

    final = annual.compute(plan=plan, year=2024, rubric=rubric, ladder=ladder, now=FINAL_2024)
    gaj = next(u for u in final["units"] if u["unit_name"] == "市公安局")
    assert {r["kind"]: r["count"] for r in gaj["rules"]}["indicator_not_reported"] == reported_by_gaj_in_2024() - 1
    assert gaj["awaited"] == 0 and not final["provisional"]


def test_a_year_is_frozen_only_after_its_last_figures_were_due(plan, ladder, office):
    rubric = read_rubric(RUBRIC)
    with pytest.raises(Invalid, match="2023 年度指标数据报送期限至 2024-01-31,期限届满后方可定稿"):
        annual.freeze(plan=plan, year=2023, rubric=rubric, ladder=ladder, actor=office, now=sh(2024, 1, 31, 23))
    assert db.session.execute(sa.select(Assessment)).first() is None
    annual.freeze(plan=plan, year=2023, rubric=rubric, ladder=ladder, actor=office, now=sh(2024, 2, 1, 8))
    assert db.session.execute(sa.select(Assessment.year)).scalar_one() == 2023


def test_the_workbook_has_a_summary_and_one_sheet_per_unit_with_its_deductions(scenario, plan, ladder):
    data = annual.compute(plan=plan, year=2024, rubric=read_rubric(RUBRIC), ladder=ladder, now=FINAL_2024)
    book = openpyxl.load_workbook(io.BytesIO(annual.workbook(data)))
    summary = book["汇总"]
    assert [c.value for c in summary[2]][:4] == ["名次", "单位", "得分", "按时办结"]
    rows = {row[1]: row for row in summary.iter_rows(min_row=3, values_only=True)}
    assert rows["市公安局"][2] == 83.1
    assert summary.freeze_panes == "A3" and summary.auto_filter.ref.startswith("A2:")
    sheet = book["市公安局"]
    facts = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(facts) == 13 + reported_by_gaj_in_2024() - 1
    assert {f[1] for f in facts} >= {"催办", "督办", "通报", "审核退回", "未按时报送进展", "指标未达标", "指标未报送"}
    assert any(f[4] == "被退回事项" and f[2] == -0.5 for f in facts)
    assert len(book.sheetnames) == 1 + len(data["units"])


def test_the_command_says_when_a_years_scores_are_still_provisional(app, plan, office, monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_CLOCK_AT", "2025-01-10T10:00")
    result = app.test_cli_runner().invoke(args=["tracker", "assess", "--year", "2024"])
    assert result.exit_code == 0, result.output
    assert "得分暂定(截至 2025-01-10):指标数据报送期限至 2025-01-31" in result.output
    refused = app.test_cli_runner().invoke(args=["tracker", "assess", "--year", "2024", "--freeze", office.username])
    assert refused.exit_code == 1 and "期限届满后方可定稿" in refused.output
