"""Year-end assessment (年度考核): each unit's score for a year by the rubric, with every fact behind it.

A unit's score is the rubric's base, plus or minus each rule's capped subtotal, never below its floor. The facts
are read once per kind for all units, in the plan's time zone: items done on time, ladder records and returns
here; missed periodic reports and indicator outcomes from their services (reporting_duty.missed_reports,
indicators.outcomes). Each fact names its evidence: a record on its item's page, an item, an indicator's history.
Until the office freezes a year (定稿) the scores are computed on every reading; freezing stores the whole result,
which is what every later reading shows: a frozen year is never recomputed, whatever the rubric or the records
become. A year's scores stay provisional until its last indicator figures were due (each indicator's due_days
after the year ends, from the plan file): a figure not yet due (待报送) is counted as awaited, not deducted, and the
year cannot be frozen before.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ...errors import Invalid, InvalidTransition, NotFound
from ...extensions import db
from ...models import AccountabilityRecord, Assessment, Event, Indicator, ItemStatus, Plan, Unit, User, WorkItem
from ...models.accountability import LADDER_KIND, MANUAL_KIND, UNANSWERED_KIND
from . import indicators, reporting_duty
from ..io import exports
from ..plan import wording
from ..trust import audit, permissions
from ..ledger.ladder import Level
from .rubric import RULE_KINDS, Rubric, number

@dataclass(frozen=True)
class Fact:
    """One thing a rule counted: `ref` says what `id` is (a record, an item) and so where its evidence is."""

    rule: str
    ref: str
    id: int
    item_id: int | None
    unit_id: int
    day: date
    text: str
    detail: str = ""
    period: str = ""  # an indicator's or a reporting period: 2024, 2024-Q2, 2024-05


def evidence_path(fact: dict[str, Any]) -> str:
    """Where a fact's evidence is read: a record on its item's page (anchored), an item's page, an indicator's
    history for the unit and period (its reports, or their absence)."""
    if fact["ref"] == "record":
        return f"/items/{fact['item_id']}#record-{fact['id']}"
    if fact["ref"] == "indicator":
        return f"/indicators/{fact['id']}/history?unit={fact['unit_id']}&period={fact['period']}"
    return f"/items/{fact['item_id']}"


def plan_for(rubric: Rubric) -> Plan:
    plan = db.session.execute(sa.select(Plan).where(Plan.key == rubric.plan)).scalar_one_or_none()
    if plan is None:
        raise NotFound(f"评分细则所属的计划 “{rubric.plan}” 尚未导入", f"The rubric's plan {rubric.plan} is not loaded",
                       code="plan_not_found")
    return plan


def check_year(plan: Plan, year: int) -> None:
    if not plan.start_date.year <= year <= plan.end_date.year:
        raise Invalid(f"考核年度须在 {plan.start_date.year} 至 {plan.end_date.year} 之间",
                      f"The year must lie within the plan ({plan.start_date.year}-{plan.end_date.year})",
                      code="year_out_of_range", fields={"year": ["超出计划年度"]})


def _year_bounds(year: int, zone: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(zone)
    return (datetime.combine(date(year, 1, 1), time(), tz).astimezone(timezone.utc),
            datetime.combine(date(year + 1, 1, 1), time(), tz).astimezone(timezone.utc))


def settles_on(plan: Plan, year: int) -> date:
    """The first day a year's result is final: the year is over and its last indicator figures were due (the
    longest due_days of the plan's indicators after 31 December). The office freezes (定稿) from that day on."""
    longest = db.session.execute(
        sa.select(sa.func.max(Indicator.due_days)).where(Indicator.plan_id == plan.id)).scalar()
    return date(year, 12, 31) + timedelta(days=(longest or 0) + 1)


def compute(*, plan: Plan, year: int, rubric: Rubric, ladder: Sequence[Level], now: datetime) -> dict[str, Any]:
    """Every assessed unit's score for `year` as it stands at `now`, ranked, with the breakdown per rule and the
    facts behind it, and how many of its indicator figures are still awaited (not yet due).

    Units assessed: those leading items of the plan, the office excepted. One query for the units and one per
    kind of fact, whatever the number of units. Raises Invalid for a year outside the plan.
    """
    check_year(plan, year)
    units = db.session.execute(
        sa.select(Unit.id, Unit.short_name).where(
            Unit.id.in_(sa.select(WorkItem.unit_id).where(WorkItem.plan_id == plan.id)),
            Unit.id != plan.office_unit_id).order_by(Unit.id)).all()
    start, end = _year_bounds(year, plan.timezone)
    kinds = {rule.kind for rule in rubric.rules}
    facts: dict[int, list[Fact]] = defaultdict(list)
    counted, awaited = _indicators(plan, year, kinds, now=now)
    for fact in (*_done_on_time(plan, start, end, kinds), *_records(plan, start, end, kinds, ladder),
                 *_returns(plan, start, end, kinds), *_missed_reports(plan, year, kinds), *counted):
        facts[fact.unit_id].append(fact)
    scored = [_score(unit_id, name, rubric, facts.get(unit_id, [])) | {"awaited": awaited.get(unit_id, 0)}
              for unit_id, name in units]
    final_on, today = settles_on(plan, year), _local_day(now, plan.timezone)
    return {"plan": {"id": plan.id, "key": plan.key, "title": plan.title}, "year": year,
            "rubric": rubric.as_data(), "units": _ranked(scored), "ranked": len(scored), "frozen": None,
            "as_of": today.isoformat(), "figures_due_until": (final_on - timedelta(days=1)).isoformat(),
            "final_on": final_on.isoformat(), "provisional": today < final_on}


def _local_day(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def _done_on_time(plan: Plan, start: datetime, end: datetime, kinds: set[str]) -> Iterable[Fact]:
    """Items the office approved in the year whose work was submitted by the due date (escalation.record_close)."""
    if "done_on_time" not in kinds:
        return []
    rows = db.session.execute(sa.select(WorkItem.id, WorkItem.unit_id, wording.title_column(),
                                        WorkItem.completed_at).where(
        WorkItem.plan_id == plan.id, WorkItem.status == ItemStatus.DONE, WorkItem.closed_late.is_(False),
        WorkItem.cancelled_at.is_(None), WorkItem.completed_at >= start, WorkItem.completed_at < end))
    return [Fact("done_on_time", "item", item_id, item_id, unit_id, _local_day(at, plan.timezone), title)
            for item_id, unit_id, title, at in rows if at is not None]  # never None: completed_at >= start


def _records(plan: Plan, start: datetime, end: datetime, kinds: set[str], ladder: Sequence[Level]) -> list[Fact]:
    """Ladder records (written by the scan or escalated by hand) of the levels the rubric counts, and unanswered
    督办 records, issued in the year."""
    rule_of_level = {lv.level: kind.key for kind in RULE_KINDS.values() if kind.key in kinds
                     for lv in ladder if lv.key == kind.ladder_key}
    wanted = [sa.and_(AccountabilityRecord.kind.in_([LADDER_KIND, MANUAL_KIND]),
                      AccountabilityRecord.level.in_(sorted(rule_of_level)))] if rule_of_level else []
    if "unanswered" in kinds:
        wanted.append(AccountabilityRecord.kind == UNANSWERED_KIND)
    if not wanted:
        return []
    rows = db.session.execute(
        sa.select(AccountabilityRecord.id, AccountabilityRecord.item_id, AccountabilityRecord.unit_id,
                  AccountabilityRecord.kind, AccountabilityRecord.level, AccountabilityRecord.level_name,
                  AccountabilityRecord.issued_at, AccountabilityRecord.doc_number, wording.title_column())
        .join(WorkItem, WorkItem.id == AccountabilityRecord.item_id)
        .where(WorkItem.plan_id == plan.id, AccountabilityRecord.issued_at >= start,
               AccountabilityRecord.issued_at < end, sa.or_(*wanted))
        .order_by(AccountabilityRecord.issued_at, AccountabilityRecord.id))
    return [Fact("unanswered" if kind == UNANSWERED_KIND else rule_of_level[level], "record", record_id, item_id,
                 unit_id, _local_day(at, plan.timezone), title, " ".join(filter(None, [name, doc])))
            for record_id, item_id, unit_id, kind, level, name, at, doc, title in rows]


def _returns(plan: Plan, start: datetime, end: datetime, kinds: set[str]) -> list[Fact]:
    """Reviews that sent an item back (audit events `item.return`), counted against the item's lead unit."""
    if "returned" not in kinds:
        return []
    rows = db.session.execute(
        sa.select(Event.id, Event.item_id, WorkItem.unit_id, Event.at, wording.title_column(), Event.after)
        .join(WorkItem, WorkItem.id == Event.item_id)
        .where(Event.action == "item.return", WorkItem.plan_id == plan.id, Event.at >= start, Event.at < end)
        .order_by(Event.at, Event.id))
    return [Fact("returned", "item", item_id, item_id, unit_id, _local_day(at, plan.timezone), title,
                 str((after or {}).get("note") or ""))
            for _event_id, item_id, unit_id, at, title, after in rows]


def _missed_reports(plan: Plan, year: int, kinds: set[str]) -> list[Fact]:
    """Periodic reports missed (未按时报送) whose deadline fell in the year, on the plan's items."""
    if "missed_report" not in kinds:
        return []
    missed = reporting_duty.missed_reports(start=date(year, 1, 1), end=date(year, 12, 31))
    titles = dict(db.session.execute(sa.select(WorkItem.id, wording.title_column()).where(
        WorkItem.plan_id == plan.id, WorkItem.id.in_(sorted({m.item_id for m in missed})))).all()) if missed else {}
    return [Fact("missed_report", "item", m.item_id, m.item_id, m.unit_id, m.due_on, titles[m.item_id],
                 f"{m.period} 未按时报送", m.period) for m in missed if m.item_id in titles]


_INDICATOR_RULES = {indicators.NOT_MET: "indicator_not_met", indicators.NOT_REPORTED: "indicator_not_reported"}


def _indicators(plan: Plan, year: int, kinds: set[str], *, now: datetime) -> tuple[list[Fact], dict[int, int]]:
    """The plan's indicators whose period ended in the year, missed (not met) or not reported by the day they were
    due; and per unit how many figures are missing but not yet due (待报送), which count for nothing yet."""
    wanted = {state for state, rule in _INDICATOR_RULES.items() if rule in kinds}
    if not wanted:
        return [], {}
    of_plan = set(db.session.scalars(sa.select(Indicator.id).where(Indicator.plan_id == plan.id)))
    found: list[Fact] = []
    awaited: dict[int, int] = defaultdict(int)
    for o in indicators.outcomes(start=date(year, 1, 1), end=date(year, 12, 31), now=now):
        if o.indicator_id not in of_plan:
            continue
        if o.state == indicators.AWAITED:
            awaited[o.unit_id] += 1
        elif o.state in wanted:
            detail = (f"{o.period} 目标 {number(o.target)},实际 {number(o.actual)}"
                      if o.state == indicators.NOT_MET and o.target is not None and o.actual is not None
                      else f"{o.period} 未报送")
            found.append(Fact(_INDICATOR_RULES[o.state], "indicator", o.indicator_id, None, o.unit_id, o.period_end,
                              o.indicator_name, detail, o.period))
    return found, dict(awaited)


def _score(unit_id: int, name: str, rubric: Rubric, facts: list[Fact]) -> dict[str, Any]:
    counts: dict[str, int] = defaultdict(int)
    for fact in facts:
        counts[fact.rule] += 1
    rules, total = [], rubric.base
    for rule in rubric.rules:
        subtotal = rule.subtotal(counts[rule.kind])
        total += subtotal
        rules.append({"kind": rule.kind, "label": rule.label, "count": counts[rule.kind],
                      "points": number(rule.points), "subtotal": number(subtotal)})
    order = {rule.kind: n for n, rule in enumerate(rubric.rules)}
    return {"unit_id": unit_id, "unit_name": name, "score": number(max(total, rubric.floor)), "rules": rules,
            "facts": [asdict(f) | {"day": f.day.isoformat()}
                      for f in sorted(facts, key=lambda f: (order[f.rule], f.day, f.id, f.period))]}


def _ranked(scored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Highest score first; equal scores share a rank (1, 2, 2, 4), listed by name."""
    scored.sort(key=lambda u: (-Decimal(u["score"]), u["unit_name"]))
    for position, unit in enumerate(scored, start=1):
        same = position > 1 and scored[position - 2]["score"] == unit["score"]
        unit["rank"] = scored[position - 2]["rank"] if same else position
    return scored


def provisional_words(data: dict[str, Any]) -> str:
    """Why a result not yet final may still change, for the command and the workbook (the page says it in the
    reader's language)."""
    awaited = sum(u.get("awaited", 0) for u in data["units"])
    return (f"得分暂定(截至 {data['as_of']}):指标数据报送期限至 {data['figures_due_until']},"
            f"尚有 {awaited} 项未到期限的指标数据未报送,暂不扣分;期限届满后方可定稿。")


def frozen(plan: Plan, year: int) -> Assessment | None:
    return db.session.execute(
        sa.select(Assessment).where(Assessment.plan_id == plan.id, Assessment.year == year)).scalar_one_or_none()


def result(*, plan: Plan, year: int, rubric: Rubric, ladder: Sequence[Level], now: datetime) -> dict[str, Any]:
    """The year's result: the frozen one when the office has frozen it (never recomputed), else computed as it
    stands at `now`."""
    check_year(plan, year)
    stored = frozen(plan, year)
    if stored is None:
        return compute(plan=plan, year=year, rubric=rubric, ladder=ladder, now=now)
    frozen_by = db.session.get(User, stored.frozen_by_id)
    return stored.result | {"frozen": {"at": stored.frozen_at.isoformat(),
                                       "by": frozen_by.display_name if frozen_by else ""}}


def freeze(*, plan: Plan, year: int, rubric: Rubric, ladder: Sequence[Level], actor: User,
           now: datetime) -> Assessment:
    """定稿: store the year's result as computed now, audited; the office only, once per year, once it is final.

    Raises NotAllowed (not the office), Invalid (a year outside the plan, not over yet in the plan's time zone,
    or with indicator figures still due: see settles_on), InvalidTransition (already frozen: the message says by
    whom and when).
    """
    permissions.require_office(actor)
    check_year(plan, year)
    today = _local_day(now, plan.timezone)
    if today.year <= year:
        raise Invalid(f"{year} 年度尚未结束,不能定稿", f"{year} is not over yet; it cannot be frozen",
                      code="year_not_over", fields={"year": ["年度尚未结束"]})
    if today < settles_on(plan, year):
        last = settles_on(plan, year) - timedelta(days=1)
        raise Invalid(f"{year} 年度指标数据报送期限至 {last.isoformat()},期限届满后方可定稿",
                      f"{year}'s indicator figures are due until {last.isoformat()}; freeze it after that day",
                      code="figures_still_due", fields={"year": ["指标数据报送期限未满"]})
    stored = frozen(plan, year)
    if stored is not None:
        at = stored.frozen_at.astimezone(ZoneInfo(plan.timezone)).strftime("%Y-%m-%d %H:%M")
        raise InvalidTransition(f"{year} 年度考核结果已于 {at} 定稿,不能重复定稿",
                                f"The {year} assessment was frozen on {at}; it cannot be frozen again",
                                code="already_frozen")
    data = compute(plan=plan, year=year, rubric=rubric, ladder=ladder, now=now)
    stored = Assessment(plan_id=plan.id, year=year, rubric_version=rubric.version, rubric_hash=rubric.sha256,
                        result=data, frozen_by_id=actor.id, frozen_at=now)
    db.session.add(stored)
    db.session.flush()
    audit.record(actor=actor, action="assessment.freeze", entity_type="assessment", entity_id=stored.id, now=now,
                 after={"plan": plan.key, "year": year, "rubric_version": rubric.version, "rubric_hash": rubric.sha256,
                        "scores": {u["unit_name"]: u["score"] for u in data["units"]}})
    return stored


def visible(data: dict[str, Any], *, actor: User) -> dict[str, Any]:
    """Leaders and the office see every unit; a unit sees its own score, breakdown and rank, and how many units
    were ranked, but no other unit's figures. Each fact gets the path of its evidence."""
    units = [u for u in data["units"] if permissions.sees_everything(actor) or u["unit_id"] == actor.unit_id]
    return data | {"units": [u | {"facts": [f | {"href": evidence_path(f)} for f in u["facts"]]} for u in units]}


def read(*, year: int | None, rubric: Rubric, ladder: Sequence[Level], actor: User, now: datetime) -> dict[str, Any]:
    """What the page, the export and the API show: the year's result (the current year when none is asked for)
    as the actor may see it, with the plan's years to choose from."""
    plan = plan_for(rubric)
    data = result(plan=plan, year=year or default_year(plan, now=now), rubric=rubric, ladder=ladder, now=now)
    return visible(data, actor=actor) | {"years": list(range(plan.start_date.year, plan.end_date.year + 1))}


def default_year(plan: Plan, *, now: datetime) -> int:
    """The year a page shows when none is asked for: the current one, within the plan's years."""
    year = _local_day(now, plan.timezone).year
    return min(max(year, plan.start_date.year), plan.end_date.year)


SUMMARY_HEADER = ("名次", "单位", "得分")
FACTS_HEADER = ("序号", "考核项目", "分值", "日期", "工作项或指标", "说明", "证据位置")
_NOT_IN_SHEET_NAME = str.maketrans({c: "_" for c in "[]:*?/\\"})


def workbook(data: dict[str, Any], *, base_url: str = "") -> bytes:
    """The year's scores as XLSX: a summary sheet (rank, unit, score, each rule's subtotal) and one sheet per unit
    listing the facts each rule counted, with where to read the evidence. Text is Chinese: the office prints it."""
    rules = data["rubric"]["rules"]
    state = "已定稿" if data.get("frozen") else "未定稿"
    title = f"{data['year']}年度考核得分"
    caption = f"{data['plan']['title']} · {title} · 评分细则 {data['rubric']['version']} · {state}"
    if data.get("provisional"):
        caption += " · " + provisional_words(data)
    summary = exports.Sheet(title="汇总", caption=caption, header=[*SUMMARY_HEADER, *(r["label"] for r in rules)],
                            rows=[[u["rank"], u["unit_name"], float(u["score"]),
                                   *(float(s["subtotal"]) for s in u["rules"])] for u in data["units"]])
    labels = {r["kind"]: r for r in rules}
    sheets, taken = [summary], {"汇总"}
    for unit in data["units"]:
        name = unit["unit_name"].translate(_NOT_IN_SHEET_NAME)[:28]
        if name in taken:
            name = f"{name[:24]}_{unit['unit_id']}"
        taken.add(name)
        signed = {r["kind"]: (1 if r["bonus"] else -1) * float(r["points"]) for r in rules}
        rows = [[n, labels[f["rule"]]["label"], signed[f["rule"]], date.fromisoformat(f["day"]), f["text"],
                 f["detail"], base_url + evidence_path(f)] for n, f in enumerate(unit["facts"], start=1)]
        sheets.append(exports.Sheet(title=name, header=FACTS_HEADER, rows=rows,
                                    caption=f"{unit['unit_name']} · {title} · 第 {unit['rank']} 名 · 得分 {unit['score']}"))
    return exports.to_workbook(sheets)


def export_name(data: dict[str, Any]) -> str:
    """考核得分_2024年度_定稿.xlsx: what the file holds, in the office's words."""
    return f"考核得分_{data['year']}年度_{'定稿' if data.get('frozen') else '未定稿'}.xlsx"
