"""The demo's indicator figures (指标数值): the office sets the plan's targets, units report each period's figure
(some never, some below the target), the office accepts most and returns some, which are reported again.

Every figure's fate is drawn from its own generator (seed, indicator, unit, period), so a demo built to a later
day has the same past. Steps use item id 0 and sequence numbers of their own, after the shapes' and events'.
"""
from __future__ import annotations

import io
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import Direction, Indicator, IndicatorReport, Role, TaskParameter, Unit
from ..services.assessment import indicator_reports, indicators
from ..services.plan import plans
from ..services.work.deadlines import local_today
from ..services.work.progress import Upload
from . import evidence
from .stage import Stage
from .planner import Clock, Step, between, rng_for, workday

FIRST_SEQ = 1_000_000  # the targets; figure n's steps: report FIRST_SEQ + 4n, decision + 1, again + 2, decision + 3


@dataclass(frozen=True)
class FigurePlan:
    """What one unit will do about one period of one indicator."""

    indicator_id: int
    unit_id: int
    period: str
    report_day: date
    met: bool
    returned: bool
    evidence: bool


def plan_figure(rng: random.Random, *, settings: dict[str, Any], profile: dict[str, Any], indicator_id: int,
                unit_id: int, period: indicators.Period) -> FigurePlan | None:
    """A figure's fate, or None for one never reported: the less punctual the unit, the likelier both that and
    a missed target."""
    sloppiness = 1.5 - profile["on_time"]
    if rng.random() < settings["not_reported"] * sloppiness:
        return None
    offset = timedelta(days=between(rng, settings["report_days"]))
    day = workday(max(period.start + timedelta(days=1), period.end + offset))
    return FigurePlan(indicator_id=indicator_id, unit_id=unit_id, period=period.key, report_day=day,
                      met=rng.random() >= settings["missed"] * sloppiness,
                      returned=rng.random() < settings["returned"], evidence=rng.random() < profile["evidence"])


def figure_value(rng: random.Random, *, direction: Direction, target: Decimal, measure: str, met: bool) -> Decimal:
    """A plausible figure on the chosen side of the target (the target itself counts as met): rates with one
    decimal within 0..100, counts whole."""
    rate = measure == "%"
    step, reach = (Decimal("0.1"), Decimal(15)) if rate else (Decimal(1), max(Decimal(2), target // 2))
    high_side = met == (direction == Direction.AT_LEAST)  # met and ≥, or missed and ≤: at or above the target
    if high_side:
        low, high = (target if met else target + step), target + reach
    else:
        low, high = target - reach, (target if met else target - step)
    ceiling = Decimal(100) if rate else high
    low, high = min(max(low, Decimal(0)), ceiling), min(high, ceiling)  # a side beyond 0..100 cannot be: the edge
    high = max(high, low)
    if rate:
        return Decimal(str(round(rng.uniform(float(low), float(high)), 1)))
    return Decimal(rng.randint(int(low), int(high)))


def schedule(replay: Stage) -> None:
    """The office's targets and every figure of every indicator period, as steps in the replay's queue."""
    settings = replay.script.indicators
    if settings is None:
        return
    office_rng = rng_for(replay.script.seed, "targets")
    replay.push(Step(Clock(replay.zone).at(workday(settings["set_targets_on"]), office_rng), 0, FIRST_SEQ,
                     "targets", {}))
    units = indicators.all_units()
    number = 0
    for indicator in indicators.all_indicators(plan_id=replay.plan_id):
        for unit in indicators.reporting_units(indicator, units):
            unit_key, kind = replay.unit_facts[unit.id]
            for period in indicators.indicator_periods(indicator):
                rng = rng_for(replay.script.seed, "figure", indicator.key, unit.key, period.key)
                found = plan_figure(rng, settings=settings, profile=replay.script.profile_for(unit_key, kind),
                                    indicator_id=indicator.id, unit_id=unit.id, period=period)
                number += 1
                if found is not None:
                    seq = FIRST_SEQ + 4 * number
                    replay.push(Step(Clock(replay.zone).at(found.report_day, rng), 0, seq, "figure",
                                     {"plan": found, "seq": seq, "again": False}))


def set_targets(replay: Stage, at: datetime) -> None:
    """The office fills in the plan's "X"s the script gives."""
    wanted = replay.script.indicators["targets"]  # type: ignore[index]  # called only when the script has indicators
    found = db.session.scalars(sa.select(TaskParameter).where(TaskParameter.key.in_(wanted)))
    plan = plans.get_plan(replay.plan_id)
    plans.set_parameters(plan, actor=replay.office(), now=at,
                         values={p.id: format(wanted[p.key].normalize(), "f") for p in found})


def report(replay: Stage, step: Step) -> None:
    """The unit reports (again, after a return: then with the corrected figure it is accepted with)."""
    found: FigurePlan = step.data["plan"]
    indicator = db.session.get(Indicator, found.indicator_id)
    unit = db.session.get(Unit, found.unit_id)
    assert indicator is not None and unit is not None
    settings = replay.script.indicators
    assert settings is not None
    rng = rng_for(replay.script.seed, "figure-value", indicator.key, unit.key, found.period, step.data["again"])
    target = _target(indicator, settings)
    value = figure_value(rng, direction=indicator.direction, target=target, measure=indicator.measure,
                         met=found.met) if target is not None else Decimal(rng.randint(0, 10))
    files = [_evidence(indicator, unit, found.period, rng)] if found.evidence else []
    created = indicator_reports.report(indicator, actor=replay.person(unit.id, Role.UNIT_ADMIN),
                                period=found.period, value=value, note=rng.choice(settings["notes"]), files=files,
                                storage=replay.storage, now=step.at)
    day = workday(local_today(step.at, replay.zone) + timedelta(days=between(rng, settings["review_days"])))
    give_back = found.returned and not step.data["again"]
    replay.push(Step(Clock(replay.zone, after=step.at).at(day, rng), 0, step.data["seq"] + 1, "figure_decision",
                     {"report_id": created.id, "plan": found, "seq": step.data["seq"], "give_back": give_back}))


def decide(replay: Stage, step: Step) -> None:
    """The office accepts the figure, or returns it with a reason and the unit reports again later."""
    figure = db.session.get(IndicatorReport, step.data["report_id"])
    assert figure is not None
    settings = replay.script.indicators
    assert settings is not None
    rng = rng_for(replay.script.seed, "figure-decision", figure.id)
    if not step.data["give_back"]:
        indicator_reports.decide(figure, actor=replay.office(), decision="accept", expected_version=figure.version,
                          now=step.at)
        return
    indicator_reports.decide(figure, actor=replay.office(), decision="return", expected_version=figure.version,
                      reason=rng.choice(settings["return_reasons"]), now=step.at)
    day = workday(local_today(step.at, replay.zone) + timedelta(days=between(rng, settings["fix_days"])))
    replay.push(Step(Clock(replay.zone, after=step.at).at(day, rng), 0, step.data["seq"] + 2, "figure",
                     {"plan": step.data["plan"], "seq": step.data["seq"] + 2, "again": True}))


def _target(indicator: Indicator, settings: dict[str, Any]) -> Decimal | None:
    """What the figure is drawn against: the indicator's own number, or the target the script has the office set."""
    if indicator.target_value is not None:
        return Decimal(indicator.target_value)
    parameter = indicator.target_parameter
    return settings["targets"].get(parameter.key) if parameter is not None else None


def _evidence(indicator: Indicator, unit: Unit, period: str, rng: random.Random) -> Upload:
    label = f"Demo indicator evidence: {indicator.key}, unit {unit.key}, {period}"
    return Upload(filename=f"指标佐证-{indicator.name}-{unit.short_name}-{period}.pdf",
                  stream=io.BytesIO(evidence.pdf(label, rng.randint(800, 3000))))
