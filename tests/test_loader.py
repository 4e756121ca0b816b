"""Loading the plan and the units from their data files: the shipped files, reloads, and every kind of broken file."""
from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from tracker.services.plan.loading import DEFAULT_PLAN, DEFAULT_UNITS
from tracker.extensions import db
from tracker.models import Event, Indicator, ItemStatus, ItemTemplate, Phase, PhaseSource, Plan, Task, TaskGroup, TaskParameter, \
    Unit, WorkItem
from tracker.services.work import workflow
from tracker.services.plan.seed_files import read_yaml


def count(model: Any) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def table_counts() -> dict[str, int]:
    return {m.__name__: count(m) for m in (Plan, Phase, TaskGroup, Task, TaskParameter, ItemTemplate, WorkItem, Unit,
                                           Event, Indicator)}


@pytest.fixture
def shipped_plan() -> dict[str, Any]:
    return read_yaml(DEFAULT_PLAN)


@pytest.fixture
def shipped_units() -> dict[str, Any]:
    return read_yaml(DEFAULT_UNITS)


@pytest.fixture
def write(tmp_path: Path) -> Callable[[Any], Path]:
    def to_file(data: Any, name: str = "plan.yaml") -> Path:
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path
    return to_file


def load(runner: Any, what: str, path: Path) -> Any:
    return runner.invoke(args=["tracker", what, str(path)])


def test_shipped_plan_has_three_phases_five_groups_seventeen_tasks(plan):
    assert [p.name for p in plan.phases] == ["启动阶段", "组织实施阶段", "总结评估阶段"]
    assert [p.source for p in plan.phases] == [PhaseSource.TEXT, PhaseSource.INFERRED, PhaseSource.INFERRED]
    assert len(plan.groups) == 5
    assert [t.number for t in plan.tasks] == list(range(1, 18))
    assert [len(g.tasks) for g in plan.groups] == [3, 4, 4, 3, 3]


def test_every_x_of_the_plan_is_an_empty_parameter(plan):
    params = [p for t in plan.tasks for p in t.parameters]
    assert len(params) == 10
    assert all(p.value is None for p in params)


def test_loading_gives_one_item_per_template_per_unit_and_year(plan):
    assert count(ItemTemplate) == 47
    assert count(WorkItem) == 1278
    yearly = db.session.execute(sa.select(WorkItem.recurrence_key, sa.func.count()).where(
        WorkItem.recurrence_key != "").group_by(WorkItem.recurrence_key)).all()
    assert {key for key, _n in yearly} >= {"2024", "2025"}
    duplicates = db.session.execute(sa.select(WorkItem.template_id, WorkItem.unit_id, WorkItem.recurrence_key)
                                    .group_by(WorkItem.template_id, WorkItem.unit_id, WorkItem.recurrence_key)
                                    .having(sa.func.count() > 1)).all()
    assert duplicates == []


def test_every_loaded_item_lies_in_its_phase_and_the_plan(plan):
    rows = db.session.execute(sa.select(WorkItem.due_date, Phase.start_date, Phase.end_date, ItemTemplate.phase_id)
                              .join(Phase, Phase.id == WorkItem.phase_id)
                              .join(ItemTemplate, ItemTemplate.id == WorkItem.template_id)).all()
    assert rows
    for due, start, end, fixed_phase in rows:
        assert plan.start_date <= due <= plan.end_date
        assert fixed_phase is not None or start <= due <= end


def test_every_loaded_item_is_audited_and_starts_in_assigned(plan):
    assert db.session.execute(sa.select(sa.func.count()).where(WorkItem.status != ItemStatus.ASSIGNED)).scalar() == 0
    created = db.session.execute(sa.select(sa.func.count()).where(Event.action == "item.create")).scalar()
    assert created == count(WorkItem)


def test_loading_the_same_files_twice_changes_nothing(app, plan):
    before = table_counts()
    runner = app.test_cli_runner()
    assert load(runner, "load-units", DEFAULT_UNITS).exit_code == 0
    result = load(runner, "load-plan", DEFAULT_PLAN)
    assert result.exit_code == 0, result.output
    assert "新建 无;更新 无" in result.output
    assert table_counts() == before


def test_an_edited_plan_updates_in_place_and_adds_new_items(app, plan, shipped_plan, write):
    edited = copy.deepcopy(shipped_plan)
    edited["tasks"][2]["title"] = "全力加强法治人才队伍建设(修订)"
    new_template = copy.deepcopy(edited["tasks"][2]["items"][0])
    new_template.update(key="new-duty", title="新增的工作要求", carriers={"units": ["sfj", "office"]},
                        due={"date": "2024-06-30"})
    edited["tasks"][2]["items"].append(new_template)
    before = table_counts()

    result = load(app.test_cli_runner(), "load-plan", write(edited))

    assert result.exit_code == 0, result.output
    task3 = db.session.execute(sa.select(Task).where(Task.number == 3)).scalar_one()
    assert task3.title == "全力加强法治人才队伍建设(修订)"
    assert count(Task) == before["Task"]
    assert count(ItemTemplate) == before["ItemTemplate"] + 1
    assert count(WorkItem) == before["WorkItem"] + 2


def test_an_edited_indicator_updates_in_place_and_a_new_one_is_added(app, plan, shipped_plan, write):
    edited = copy.deepcopy(shipped_plan)
    edited["indicators"][0]["name"] = "法治专题讲座次数(修订)"
    edited["indicators"].append({"key": "complaints_overdue", "name": "超期未办结举报投诉件数", "measure": "件",
                                 "direction": "<=", "target": {"value": 0}, "period": "quarter",
                                 "reporters": {"tags": ["enforcement"]}, "first_year": 2024, "due_days": 10})
    before = count(Indicator)

    result = load(app.test_cli_runner(), "load-plan", write(edited))

    assert result.exit_code == 0, result.output
    assert count(Indicator) == before + 1
    lectures = db.session.execute(sa.select(Indicator).where(Indicator.key == "lectures")).scalar_one()
    assert lectures.name == "法治专题讲座次数(修订)"
    added = db.session.execute(sa.select(Indicator).where(Indicator.key == "complaints_overdue")).scalar_one()
    assert (added.direction, added.period, added.task_id, added.target_value) == ("at_most", "quarter", None, 0)
    assert (added.due_days, lectures.due_days) == (10, 31)  # its own; the plan file's indicator_due_days


def test_an_untouched_item_follows_its_template_but_one_with_history_keeps_its_own(
        app, plan, shipped_plan, write, make_user, now):

    template_spec = shipped_plan["tasks"][0]["items"][0]
    template = db.session.execute(sa.select(ItemTemplate).where(ItemTemplate.key == template_spec["key"])).scalar_one()
    touched, untouched = db.session.scalars(sa.select(WorkItem).where(WorkItem.template_id == template.id)
                                            .order_by(WorkItem.id).limit(2)).all()
    signer = make_user("unit_admin", db.session.get(Unit, touched.unit_id).key)
    workflow.move(touched, actor=signer, to=ItemStatus.IN_PROGRESS, expected_version=touched.version, now=now)
    edited = copy.deepcopy(shipped_plan)
    edited["tasks"][0]["items"][0]["title"] = "改写后的标题"

    assert load(app.test_cli_runner(), "load-plan", write(edited)).exit_code == 0

    db.session.expire_all()
    assert untouched.title == "改写后的标题"
    assert touched.title == template_spec["title"]


def test_a_template_dropped_from_the_file_keeps_its_items(app, plan, shipped_plan, write):
    edited = copy.deepcopy(shipped_plan)
    dropped = edited["tasks"][0]["items"].pop()
    before = count(WorkItem)

    assert load(app.test_cli_runner(), "load-plan", write(edited)).exit_code == 0

    assert count(WorkItem) == before
    assert db.session.execute(sa.select(ItemTemplate).where(ItemTemplate.key == dropped["key"])).scalar_one()


def test_a_template_names_cooperating_units_by_kind_or_key_never_the_lead_itself(app, plan, shipped_plan, write):
    edited = copy.deepcopy(shipped_plan)
    new_template = copy.deepcopy(edited["tasks"][2]["items"][0])
    new_template.update(key="shared-duty", title="牵头配合的工作", carriers={"units": ["jiaqu", "sfj"]},
                        cooperators={"kinds": [], "units": ["sfj", "gaj"]}, due={"date": "2024-06-30"})
    edited["tasks"][2]["items"].append(new_template)

    result = load(app.test_cli_runner(), "load-plan", write(edited))

    assert result.exit_code == 0, result.output
    made = db.session.scalars(sa.select(WorkItem).where(WorkItem.title == "牵头配合的工作")).all()
    parts = {item.unit.key: sorted(part.unit.key for part in item.cooperators) for item in made}
    assert parts == {"jiaqu": ["gaj", "sfj"], "sfj": ["gaj"]}


def _break(data: dict[str, Any], how: str) -> str:
    """Break a copy of the shipped plan one way; return the location the error must name."""
    if how == "due_outside_plan":
        data["tasks"][4]["items"][0]["due"] = {"date": "2026-03-31"}
        return "tasks[4].items[0].due"
    if how == "impossible_date":
        data["tasks"][4]["items"][0]["due"] = {"date": "2023-02-30"}
        return "tasks[4].items[0].due.date"
    if how == "duplicate_task_number":
        data["tasks"][6]["number"] = 6
        return "tasks[6].number"
    if how == "unknown_unit_kind":
        data["tasks"][1]["items"][0]["carriers"] = {"kinds": ["space_agency"]}
        return "tasks[1].items[0].carriers.kinds"
    if how == "unknown_group":
        data["tasks"][0]["group"] = "g9"
        return "tasks[0].group"
    if how == "unknown_field":
        data["tasks"][2]["owner"] = "sfj"
        return "tasks[2].owner"
    if how == "wrong_type":
        data["tasks"][3]["number"] = "four"
        return "tasks[3].number"
    if how == "two_due_rules":
        data["tasks"][0]["items"][0]["due"] = {"date": "2023-12-31", "phase_end": "launch"}
        return "tasks[0].items[0].due"
    if how == "missing_title":
        del data["tasks"][5]["title"]
        return "tasks[5].title"
    if how == "unknown_lead_unit":
        data["tasks"][5]["lead"] = "nobody"
        return "tasks[5].lead"
    if how == "unknown_cooperating_unit":
        data["tasks"][1]["items"][0]["cooperators"] = {"units": ["nobody"]}
        return "tasks[1].items[0].cooperators.units"
    if how == "x_names_too_few_parameters":
        data["tasks"][0]["items"][0]["x"] = ["lectures_per_year"]
        return "tasks[0].items[0].x"
    if how == "indicator_unknown_task":
        data["indicators"][0]["task"] = 99
        return "indicators[0].task"
    if how == "indicator_parameter_of_another_task":
        data["indicators"][0]["target"] = {"parameter": "filing_review_rate"}
        return "indicators[0].target.parameter"
    if how == "indicator_two_targets":
        data["indicators"][0]["target"] = {"parameter": "lectures_per_year", "value": 3}
        return "indicators[0].target"
    if how == "indicator_unknown_reporter_tag":
        data["indicators"][2]["reporters"] = {"tags": ["astronomy"]}
        return "indicators[2].reporters.tags"
    if how == "indicator_unknown_direction":
        data["indicators"][0]["direction"] = "≈"
        return "indicators[0].direction"
    if how == "indicator_year_outside_plan":
        data["indicators"][4]["first_year"] = 2022
        return "indicators[4].first_year"
    if how == "indicator_duplicate_key":
        data["indicators"][1]["key"] = data["indicators"][0]["key"]
        return "indicators[1].key"
    if how == "indicator_monthly":
        data["indicators"][0]["period"] = "month"
        return "indicators[0].period"
    if how == "indicator_rate_over_100":
        data["indicators"][13]["target"] = {"value": 120}
        return "indicators[13].target.value"
    if how == "indicator_negative_due_days":
        data["indicators"][2]["due_days"] = -1
        return "indicators[2].due_days"
    if how == "plan_due_days_as_text":
        data["indicator_due_days"] = "一个月"
        return "indicator_due_days"
    if how == "indicator_unknown_field":
        data["indicators"][3]["weight"] = 2
        return "indicators[3].weight"
    if how == "plan_evidence_unknown":
        data["evidence"] = "sometimes"
        return "evidence"
    if how == "ad_hoc_evidence_unknown":
        data["ad_hoc_evidence"] = True
        return "ad_hoc_evidence"
    if how == "contest_days_zero":
        data["contest_days"] = 0
        return "contest_days"
    if how == "contest_days_as_text":
        data["contest_days"] = "七天"
        return "contest_days"
    if how == "template_evidence_unknown":
        data["tasks"][2]["items"][0]["evidence"] = "必须"
        return "tasks[2].items[0].evidence"
    if how == "invalid_yearly_day":
        data["tasks"][0]["items"][0]["due"] = {"yearly": {"month": 2, "day": 30}}
        return "tasks[0].items[0].due"
    raise AssertionError(how)


BROKEN_PLANS = ["due_outside_plan", "impossible_date", "duplicate_task_number", "unknown_unit_kind", "unknown_group",
                "unknown_field", "wrong_type", "two_due_rules", "missing_title", "unknown_lead_unit",
                "invalid_yearly_day", "unknown_cooperating_unit", "x_names_too_few_parameters", "indicator_unknown_task",
                "indicator_parameter_of_another_task", "indicator_two_targets", "indicator_unknown_reporter_tag",
                "indicator_unknown_direction", "indicator_year_outside_plan", "indicator_duplicate_key",
                "indicator_monthly", "indicator_rate_over_100", "indicator_unknown_field", "indicator_negative_due_days",
                "plan_due_days_as_text", "plan_evidence_unknown", "ad_hoc_evidence_unknown",
                "template_evidence_unknown", "contest_days_zero", "contest_days_as_text"]


@pytest.mark.parametrize("how", BROKEN_PLANS)
def test_a_broken_plan_file_is_refused_with_its_location_and_writes_nothing(app, plan, shipped_plan, write, how):
    broken = copy.deepcopy(shipped_plan)
    broken["title"] = "不应写入的标题"
    location = _break(broken, how)
    before = table_counts()

    result = load(app.test_cli_runner(), "load-plan", write(broken))

    assert result.exit_code == 1
    assert f"{location}:" in result.output
    assert "未写入任何数据" in result.output
    assert table_counts() == before
    assert plan.title != "不应写入的标题"


def test_the_evidence_rule_is_data_of_the_plan_and_its_templates(app, plan, shipped_plan, write):
    """Issue 20: whether a submission needs evidence is set per plan (its items, ad-hoc items) and template."""
    assert (plan.evidence_rule, plan.ad_hoc_evidence_rule) == ("required", "asked")
    edited = copy.deepcopy(shipped_plan)
    edited["ad_hoc_evidence"] = "required"
    edited["tasks"][2]["items"][0]["evidence"] = "asked"
    assert load(app.test_cli_runner(), "load-plan", write(edited)).exit_code == 0
    template = db.session.execute(sa.select(ItemTemplate).join(Task).where(
        Task.number == edited["tasks"][2]["number"], ItemTemplate.key == edited["tasks"][2]["items"][0]["key"])
    ).scalar_one()
    assert (plan.ad_hoc_evidence_rule, template.evidence_rule) == ("required", "asked")


def test_the_window_to_contest_is_data_of_the_plan(app, plan, shipped_plan, write):
    """Issue 22: the working days a unit has to contest an assignment (退办 / 异议) are set by the plan file."""
    assert plan.contest_days == shipped_plan["contest_days"] == 7
    edited = copy.deepcopy(shipped_plan)
    edited["contest_days"] = 10
    assert load(app.test_cli_runner(), "load-plan", write(edited)).exit_code == 0
    db.session.refresh(plan)
    assert plan.contest_days == 10


def test_every_problem_in_a_file_is_reported_at_once(app, plan, shipped_plan, write):
    broken = copy.deepcopy(shipped_plan)
    locations = [_break(broken, "due_outside_plan"), _break(broken, "unknown_lead_unit"),
                 _break(broken, "unknown_group")]
    result = load(app.test_cli_runner(), "load-plan", write(broken))
    assert result.exit_code == 1
    for location in locations:
        assert f"{location}:" in result.output


def test_a_file_that_is_not_yaml_is_refused(app, plan, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("tasks: [unclosed\n  - number: 1", encoding="utf-8")
    before = table_counts()
    result = load(app.test_cli_runner(), "load-plan", path)
    assert result.exit_code == 1
    assert "YAML" in result.output
    assert table_counts() == before


def test_a_missing_file_is_refused(app, plan, tmp_path):
    result = load(app.test_cli_runner(), "load-plan", tmp_path / "nowhere.yaml")
    assert result.exit_code == 1
    assert "无法读取文件" in result.output


def test_a_cycle_in_the_unit_tree_is_refused(app, plan, shipped_units, write):
    units = copy.deepcopy(shipped_units)
    by_key = {u["key"]: u for u in units["units"]}
    by_key["city"]["parent"] = "sfj"
    index = units["units"].index(by_key["city"])
    before = table_counts()
    result = load(app.test_cli_runner(), "load-units", write(units, "units.yaml"))
    assert result.exit_code == 1
    assert f"units[{index}].parent: 单位树中存在循环" in result.output
    assert table_counts() == before


@pytest.mark.parametrize(("field", "value", "message"), [
    ("kind", "space_agency", "未知的单位类型"),
    ("parent", "atlantis", "上级单位 “atlantis” 不存在"),
    ("key", "Bad Key!", "只能使用小写字母"),
])
def test_a_broken_units_file_is_refused_with_its_location(app, plan, shipped_units, write, field, value, message):
    units = copy.deepcopy(shipped_units)
    units["units"][3][field] = value
    before = table_counts()
    result = load(app.test_cli_runner(), "load-units", write(units, "units.yaml"))
    assert result.exit_code == 1
    assert f"units[3].{field}: " in result.output and message in result.output
    assert table_counts() == before


def test_the_units_file_is_marked_as_sample_data(plan, unit):
    assert unit("sfj").is_sample
    assert unit("sfj").name == "市司法局"
    kinds = db.session.execute(sa.select(Unit.kind, sa.func.count()).group_by(Unit.kind)).all()
    by_kind = dict(kinds)
    assert by_kind["city_dept"] >= 10 and by_kind["county_gov"] >= 4 and by_kind["township_gov"] >= 1
