"""Reading and validating seed files (a plan, a city's units) before anything is written.

Structure is checked by marshmallow schemas (unknown fields, types, impossible dates); references between
parts of the file and to what the database already holds are checked afterwards. Every problem is reported
with its location, e.g. ``tasks[4].items[1].due: ...``.
"""
from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import ValidationError, fields, validate, validates_schema

from . import wording
from .seed_files import (  # read_yaml and FileProblems also for the CLI, which reads plan files through here
    KEY,
    SHORT_TEXT,
    FileProblems,
    _duplicates,
    _load,
    _StrictSchema,
)

DIRECTIONS = {">=": "at_least", "<=": "at_most"}  # the file's words for an indicator's direction
EVIDENCE_RULES = validate.OneOf(["required", "asked"], error="须为 required(无佐证材料不能提交办结)或 asked(提示后可提交)")


def _exactly_one(data: dict[str, Any], names: tuple[str, ...]) -> None:
    given = [n for n in names if data.get(n) is not None]
    if len(given) != 1:
        raise ValidationError(f"必须且只能给出以下之一:{', '.join(names)}(给出了 {len(given)} 个)")


# --- units file -------------------------------------------------------------------------------------------

class UnitSchema(_StrictSchema):
    key = fields.String(required=True, validate=KEY)
    name = fields.String(required=True, validate=SHORT_TEXT)
    short = fields.String(required=True, validate=validate.Length(min=1, max=64))
    kind = fields.String(required=True, validate=KEY)
    parent = fields.String(load_default=None, allow_none=True, validate=KEY)
    tags = fields.List(fields.String(validate=KEY), load_default=list)
    emails = fields.List(fields.Email(), load_default=list)


class UnitsFileSchema(_StrictSchema):
    sample = fields.Boolean(load_default=False)
    kinds = fields.Dict(keys=fields.String(validate=KEY), values=fields.String(validate=SHORT_TEXT),
                        required=True, validate=validate.Length(min=1))
    units = fields.List(fields.Nested(UnitSchema), required=True, validate=validate.Length(min=1))


# --- plan file --------------------------------------------------------------------------------------------

class PhaseSchema(_StrictSchema):
    key = fields.String(required=True, validate=KEY)
    seq = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    source = fields.String(required=True, validate=validate.OneOf(["text", "inferred"]))

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        if data["start"] > data["end"]:
            raise ValidationError("结束日期早于开始日期", "end")


class GroupSchema(_StrictSchema):
    key = fields.String(required=True, validate=KEY)
    seq = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=100))
    title = fields.String(required=True, validate=SHORT_TEXT)


class ParameterSchema(_StrictSchema):
    key = fields.String(required=True, validate=KEY)
    label = fields.String(required=True, validate=SHORT_TEXT)
    unit = fields.String(load_default="", validate=validate.Length(max=16))


class CarriersSchema(_StrictSchema):
    kinds = fields.List(fields.String(validate=KEY), load_default=list)
    tags = fields.List(fields.String(validate=KEY), load_default=list)
    units = fields.List(fields.String(validate=KEY), load_default=list)

    @validates_schema
    def _someone(self, data: dict[str, Any], **_: Any) -> None:
        if not (data["kinds"] or data["tags"] or data["units"]):
            raise ValidationError("至少指定一类承办单位(kinds、tags 或 units)")


class CooperatorsSchema(_StrictSchema):
    """Cooperating units (配合单位) of every item a template makes: unit kinds and named units."""

    kinds = fields.List(fields.String(validate=KEY), load_default=list)
    units = fields.List(fields.String(validate=KEY), load_default=list)


class YearlySchema(_StrictSchema):
    month = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=12))
    day = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=31))
    years = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1900, max=2999)),
                        load_default=None)


class AfterEventSchema(_StrictSchema):
    days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=3650))
    event = fields.String(required=True, validate=SHORT_TEXT)


class DueSchema(_StrictSchema):
    date = fields.Date(load_default=None)
    phase_end = fields.String(load_default=None, validate=KEY)
    yearly = fields.Nested(YearlySchema, load_default=None)
    after_event = fields.Nested(AfterEventSchema, load_default=None)

    @validates_schema
    def _one_rule(self, data: dict[str, Any], **_: Any) -> None:
        _exactly_one(data, ("date", "phase_end", "yearly", "after_event"))


class TemplateSchema(_StrictSchema):
    key = fields.String(required=True, validate=KEY)
    title = fields.String(required=True, validate=SHORT_TEXT)
    description = fields.String(load_default="", validate=validate.Length(max=10_000))
    note = fields.String(load_default="", validate=validate.Length(max=2_000),
                         metadata={"description": "the office's design note (why a date or carrier was chosen); "
                                                  "kept on the template, never shown to units"})
    carriers = fields.Nested(CarriersSchema, required=True)
    cooperators = fields.Nested(CooperatorsSchema, load_default=None, allow_none=True)
    x = fields.List(fields.String(validate=KEY), load_default=list,
                    metadata={"description": "the task parameter each X of title then description stands for"})
    due = fields.Nested(DueSchema, required=True)
    phase = fields.String(load_default=None, allow_none=True, validate=KEY)
    priority = fields.String(load_default="normal", validate=validate.OneOf(["low", "normal", "high"]))
    evidence = fields.String(load_default=None, validate=EVIDENCE_RULES,
                             metadata={"description": "whether submitting its items needs evidence; else the plan's"})


class TaskSchema(_StrictSchema):
    number = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=999))
    group = fields.String(required=True, validate=KEY)
    title = fields.String(required=True, validate=SHORT_TEXT)
    text = fields.String(required=True, validate=validate.Length(min=1, max=20_000))
    lead = fields.String(load_default=None, allow_none=True, validate=KEY)
    parameters = fields.List(fields.Nested(ParameterSchema), load_default=list)
    items = fields.List(fields.Nested(TemplateSchema), required=True, validate=validate.Length(min=1))


class TargetSchema(_StrictSchema):
    """An indicator's target: one of the plan's "X" parameters (the office sets its value) or a number."""

    parameter = fields.String(load_default=None, validate=KEY)
    value = fields.Decimal(load_default=None, allow_nan=False, validate=validate.Range(min=0, max=10**9))

    @validates_schema
    def _one_target(self, data: dict[str, Any], **_: Any) -> None:
        _exactly_one(data, ("parameter", "value"))


DUE_DAYS = validate.Range(min=0, max=366, error="须为 0 至 366 之间的天数")
CONTEST_DAYS = validate.Range(min=1, max=60, error="须为 1 至 60 之间的工作日数")


class IndicatorSchema(_StrictSchema):
    key = fields.String(required=True, validate=KEY)
    task = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=999))
    name = fields.String(required=True, validate=SHORT_TEXT)
    measure = fields.String(load_default="", validate=validate.Length(max=16))
    direction = fields.String(required=True, validate=validate.OneOf(list(DIRECTIONS)))
    target = fields.Nested(TargetSchema, required=True)
    period = fields.String(required=True, validate=validate.OneOf(["year", "quarter"]))
    reporters = fields.Nested(CarriersSchema, required=True)
    first_year = fields.Integer(load_default=None, allow_none=True, strict=True,
                                validate=validate.Range(min=1900, max=2999))
    last_year = fields.Integer(load_default=None, allow_none=True, strict=True,
                               validate=validate.Range(min=1900, max=2999))
    text = fields.String(load_default="", validate=validate.Length(max=2000))
    due_days = fields.Integer(load_default=None, allow_none=True, strict=True, validate=DUE_DAYS)


class PlanFileSchema(_StrictSchema):
    key = fields.String(required=True, validate=KEY)
    title = fields.String(required=True, validate=SHORT_TEXT)
    short = fields.String(required=True, validate=validate.Length(min=1, max=64))
    timezone = fields.String(required=True)
    start = fields.Date(required=True)
    end = fields.Date(required=True)
    office = fields.String(required=True, validate=KEY)
    phases = fields.List(fields.Nested(PhaseSchema), required=True, validate=validate.Length(min=1))
    groups = fields.List(fields.Nested(GroupSchema), required=True, validate=validate.Length(min=1))
    tasks = fields.List(fields.Nested(TaskSchema), required=True, validate=validate.Length(min=1))
    indicators = fields.List(fields.Nested(IndicatorSchema), load_default=list)
    indicator_due_days = fields.Integer(load_default=0, strict=True, validate=DUE_DAYS)
    evidence = fields.String(load_default="required", validate=EVIDENCE_RULES,
                             metadata={"description": "whether submitting a plan item needs evidence"})
    ad_hoc_evidence = fields.String(load_default="asked", validate=EVIDENCE_RULES,
                                    metadata={"description": "the same for ad-hoc items (交办件)"})
    contest_days = fields.Integer(load_default=7, strict=True, validate=CONTEST_DAYS, metadata={
        "description": "退办 / 异议: working days after an assignment within which a unit may contest it"})


def parse_units(raw: Any) -> dict[str, Any]:
    """A valid units file as plain data, or FileProblems listing everything wrong with it."""
    data = _load(UnitsFileSchema(), raw)
    units = data["units"]
    problems = _duplicates([u["key"] for u in units], "units", "key")
    keys = {u["key"] for u in units}
    for i, unit in enumerate(units):
        if unit["kind"] not in data["kinds"]:
            problems.append(f"units[{i}].kind: 未知的单位类型 “{unit['kind']}”(kinds 中没有)")
        if unit["parent"] is not None and unit["parent"] not in keys:
            problems.append(f"units[{i}].parent: 上级单位 “{unit['parent']}” 不存在")
    problems.extend(_cycles(units))
    if problems:
        raise FileProblems(problems)
    return data


def _cycles(units: list[dict[str, Any]]) -> list[str]:
    parent_of = {u["key"]: u["parent"] for u in units}
    problems = []
    for i, unit in enumerate(units):
        seen = {unit["key"]}
        current = unit["parent"]
        while current is not None and current in parent_of:
            if current in seen:
                problems.append(f"units[{i}].parent: 单位树中存在循环(经过 “{current}”)")
                break
            seen.add(current)
            current = parent_of[current]
    return problems


def parse_plan(raw: Any, *, unit_keys: set[str], kinds: set[str], tags: set[str]) -> dict[str, Any]:
    """A valid plan file as plain data, checked against the units already loaded."""
    data = _load(PlanFileSchema(), raw)
    problems: list[str] = []
    try:
        ZoneInfo(data["timezone"])
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"timezone: 未知的时区 “{data['timezone']}”")
    if data["start"] > data["end"]:
        problems.append("end: 计划结束日期早于开始日期")
    if data["office"] not in unit_keys:
        problems.append(f"office: 单位 “{data['office']}” 不存在,请先导入单位文件")
    problems += _duplicates([p["key"] for p in data["phases"]], "phases", "key")
    problems += _duplicates([g["key"] for g in data["groups"]], "groups", "key")
    problems += _duplicates([t["number"] for t in data["tasks"]], "tasks", "number")
    for i, phase in enumerate(data["phases"]):
        if phase["start"] < data["start"] or phase["end"] > data["end"]:
            problems.append(f"phases[{i}]: 阶段日期超出计划起止日期 {data['start']} 至 {data['end']}")
    phases = {p["key"]: p for p in data["phases"]}
    groups = {g["key"] for g in data["groups"]}
    for t, task in enumerate(data["tasks"]):
        where = f"tasks[{t}]"
        if task["group"] not in groups:
            problems.append(f"{where}.group: 任务分组 “{task['group']}” 不存在")
        if task["lead"] is not None and task["lead"] not in unit_keys:
            problems.append(f"{where}.lead: 牵头单位 “{task['lead']}” 不存在")
        problems += _duplicates([p["key"] for p in task["parameters"]], f"{where}.parameters", "key")
        problems += _duplicates([i["key"] for i in task["items"]], f"{where}.items", "key")
        parameter_keys = {p["key"] for p in task["parameters"]}
        for n, item in enumerate(task["items"]):
            problems += _template_problems(item, f"{where}.items[{n}]", data, phases,
                                           unit_keys=unit_keys, kinds=kinds, tags=tags)
            problems += _x_problems(item, f"{where}.items[{n}].x", parameter_keys)
    problems += _duplicates([i["key"] for i in data["indicators"]], "indicators", "key")
    for n, indicator in enumerate(data["indicators"]):
        problems += _indicator_problems(indicator, f"indicators[{n}]", data, unit_keys=unit_keys, kinds=kinds,
                                        tags=tags)
    if problems:
        raise FileProblems(problems)
    return data


def _indicator_problems(indicator: dict[str, Any], where: str, plan: dict[str, Any], *, unit_keys: set[str],
                        kinds: set[str], tags: set[str]) -> list[str]:
    """An indicator's task, target parameter, reporting units and years against the rest of the file."""
    problems = []
    tasks = {t["number"]: t for t in plan["tasks"]}
    if indicator["task"] is not None and indicator["task"] not in tasks:
        problems.append(f"{where}.task: 任务 “{indicator['task']}” 不存在")
    parameter = indicator["target"]["parameter"]
    if parameter is not None:
        declaring = [t["number"] for t in plan["tasks"] if parameter in {p["key"] for p in t["parameters"]}]
        if indicator["task"] is not None and indicator["task"] in tasks and indicator["task"] not in declaring:
            problems.append(f"{where}.target.parameter: 参数 “{parameter}” 不是任务 {indicator['task']} 的参数")
        elif indicator["task"] is None and len(declaring) != 1:
            problems.append(f"{where}.target.parameter: 参数 “{parameter}” "
                            + ("不存在" if not declaring else "属于多个任务,请用 task 指明"))
    value = indicator["target"]["value"]
    if value is not None and indicator["measure"] == "%" and value > 100:
        problems.append(f"{where}.target.value: 比率目标不能超过 100")
    reporters = indicator["reporters"]
    problems += [f"{where}.reporters.kinds: 未知的单位类型 “{k}”" for k in reporters["kinds"] if k not in kinds]
    problems += [f"{where}.reporters.tags: 没有任何单位带有标签 “{k}”" for k in reporters["tags"] if k not in tags]
    problems += [f"{where}.reporters.units: 单位 “{k}” 不存在" for k in reporters["units"] if k not in unit_keys]
    years = range(plan["start"].year, plan["end"].year + 1)
    for name in ("first_year", "last_year"):
        if indicator[name] is not None and indicator[name] not in years:
            problems.append(f"{where}.{name}: {indicator[name]} 年不在计划年度 {years[0]} 至 {years[-1]} 之内")
    if None not in (indicator["first_year"], indicator["last_year"]) and \
            indicator["first_year"] > indicator["last_year"]:
        problems.append(f"{where}.last_year: 结束年度早于起始年度")
    return problems


def _x_problems(item: dict[str, Any], where: str, parameter_keys: set[str]) -> list[str]:
    """Every X of a template's title and description must name one of its task's parameters, in order."""
    count = wording.count_x(item["title"]) + wording.count_x(item["description"])
    problems = [f"{where}: 参数 “{key}” 不是该任务的参数" for key in item["x"] if key not in parameter_keys]
    if item["x"] and len(item["x"]) != count:
        problems.append(f"{where}: 标题和说明中有 {count} 个 X,x 列出了 {len(item['x'])} 个参数")
    return problems


def _template_problems(item: dict[str, Any], where: str, plan: dict[str, Any], phases: dict[str, Any], *,
                       unit_keys: set[str], kinds: set[str], tags: set[str]) -> list[str]:
    problems = []
    carriers = item["carriers"]
    problems += [f"{where}.carriers.kinds: 未知的单位类型 “{k}”" for k in carriers["kinds"] if k not in kinds]
    problems += [f"{where}.carriers.tags: 没有任何单位带有标签 “{k}”" for k in carriers["tags"] if k not in tags]
    problems += [f"{where}.carriers.units: 单位 “{k}” 不存在" for k in carriers["units"] if k not in unit_keys]
    cooperators = item["cooperators"] or {"kinds": [], "units": []}
    problems += [f"{where}.cooperators.kinds: 未知的单位类型 “{k}”" for k in cooperators["kinds"] if k not in kinds]
    problems += [f"{where}.cooperators.units: 单位 “{k}” 不存在" for k in cooperators["units"] if k not in unit_keys]
    if item["phase"] is not None and item["phase"] not in phases:
        problems.append(f"{where}.phase: 阶段 “{item['phase']}” 不存在")
    due = item["due"]
    if due["phase_end"] is not None and due["phase_end"] not in phases:
        problems.append(f"{where}.due.phase_end: 阶段 “{due['phase_end']}” 不存在")
        return problems
    try:
        dates = occurrences(due, plan)
    except ValueError as exc:
        return problems + [f"{where}.due: {exc}"]
    for _key, day in dates:
        if not plan["start"] <= day <= plan["end"]:
            problems.append(f"{where}.due: 截止日期 {day} 超出计划起止日期 {plan['start']} 至 {plan['end']}")
        elif item["phase"] is None and not any(p["start"] <= day <= p["end"] for p in plan["phases"]):
            problems.append(f"{where}.due: 截止日期 {day} 不在任何阶段内,请用 phase 指定所属阶段")
    return problems


def occurrences(due: dict[str, Any], plan: dict[str, Any]) -> list[tuple[str, date]]:
    """(recurrence key, due date) for each item a template gives one unit; none for event-driven duties."""
    if due.get("date") is not None:
        return [("", due["date"])]
    if due.get("phase_end") is not None:
        phase = next(p for p in plan["phases"] if p["key"] == due["phase_end"])
        return [("", phase["end"])]
    if due.get("yearly") is not None:
        rule = due["yearly"]
        years = rule["years"] or list(range(plan["start"].year, plan["end"].year + 1))
        found = []
        for year in years:
            try:
                found.append((str(year), date(year, rule["month"], rule["day"])))
            except ValueError:
                raise ValueError(f"{year} 年没有 {rule['month']} 月 {rule['day']} 日") from None
        return found
    return []
