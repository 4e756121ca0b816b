"""What each demo item's unit and the office will do, decided up front from the script: pure, no database.

An item's life is drawn from its own random generator (seeded by the script's seed and the item's id), so it
does not depend on how far the replay goes: a demo built to a later date has the same past as one built to an
earlier date. Every step falls on a working day, between 09:00 and 17:30 in the plan's time zone.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from ..services.plan.reporting_rhythms import DEFAULT, last_period

DAY_START, DAY_END = 9 * 60, 17 * 60 + 30
MAX_EXTENSION_DAYS = 60


@dataclass(frozen=True)
class ItemFacts:
    """What the planner needs to know about an item when it is created."""

    id: int
    due: date
    created: date
    created_at: datetime
    plan_end: date


@dataclass(order=True, frozen=True)
class Step:
    """One thing someone does at a moment; steps run in (at, item_id, seq) order."""

    at: datetime
    item_id: int
    seq: int
    kind: str = field(compare=False)
    data: dict[str, Any] = field(compare=False, default_factory=dict)


def rng_for(seed: int, *parts: object) -> random.Random:
    """A generator of its own for one decision, so decisions do not shift when others are added or dropped."""
    return random.Random(":".join(str(p) for p in (seed, *parts)))


def workday(day: date) -> date:
    """The day itself, or the Monday after it when it falls on a weekend."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def between(rng: random.Random, bounds: list[int]) -> int:
    return rng.randint(bounds[0], bounds[1])


class Clock:
    """Turns (day, rng) into moments of an office day in the plan's time zone, never earlier than the last."""

    def __init__(self, zone: str, *, after: datetime | None = None) -> None:
        self.zone = ZoneInfo(zone)
        self.last = after

    def at(self, day: date, rng: random.Random) -> datetime:
        moment = datetime.combine(day, time(0), tzinfo=self.zone) + timedelta(
            minutes=rng.randint(DAY_START, DAY_END))
        moment = moment.astimezone(timezone.utc)
        if self.last is not None and moment <= self.last:
            moment = self.last + timedelta(minutes=1)
        self.last = moment
        return moment


def plan_item(facts: ItemFacts, *, profile: dict[str, Any], office: dict[str, Any], seed: int,
              zone: str) -> list[Step]:
    """Every step of one item's life: sign, progress, maybe an extension, submit, reviews until approved."""
    rng = rng_for(seed, "item", facts.id)
    clock = Clock(zone, after=facts.created_at)
    steps: list[Step] = []

    def add(day: date, kind: str, draw: random.Random | None = None, **data: Any) -> None:
        steps.append(Step(clock.at(day, draw or rng), facts.id, len(steps), kind, data))

    opens = max(facts.created, facts.due - timedelta(days=between(rng, profile["lead_days"])))
    sign_day = workday(opens + timedelta(days=between(rng, profile["sign_delay_days"])))
    submit_day = _first_submission(rng, facts, profile, sign_day)
    add(sign_day, "sign")
    extension = _extension(rng, facts, profile, office, sign_day, submit_day)
    _progress(rng, profile, sign_day, submit_day, extension, add, periodic=(seed, facts.id))
    day = submit_day
    for attempt in range(3):
        add(day, "submit")
        review_day = workday(day + timedelta(days=between(rng, office["review_days"])))
        if attempt < 2 and rng.random() < profile["returned"]:
            add(review_day, "return", reason=rng.choice(office["return_reasons"]))
            day = workday(review_day + timedelta(days=max(1, between(rng, profile["fix_days"]))))
        else:
            add(review_day, "approve")  # approval settles the item's records (已办结销号)
            break
    return steps


def _first_submission(rng: random.Random, facts: ItemFacts, profile: dict[str, Any], sign_day: date) -> date:
    if facts.due > sign_day and rng.random() < profile["on_time"]:
        early = rng.randint(0, min(between(rng, profile["early_days"]), (facts.due - sign_day).days - 1))
        day = facts.due - timedelta(days=early)
        while day.weekday() >= 5 and day > sign_day + timedelta(days=1):
            day -= timedelta(days=1)
    else:
        buckets = profile["lateness"]
        bucket = rng.choices(buckets, weights=[b["weight"] for b in buckets])[0]
        day = workday(facts.due + timedelta(days=between(rng, bucket["days"])))
    return workday(max(day, sign_day + timedelta(days=1)))


def _extension(rng: random.Random, facts: ItemFacts, profile: dict[str, Any], office: dict[str, Any],
               sign_day: date, submit_day: date) -> dict[str, Any] | None:
    """A request for more time when the unit sees it will be late: asked before the due date, decided later."""
    if submit_day <= facts.due or rng.random() >= profile["extension"]:
        return None
    if (submit_day - facts.due).days > MAX_EXTENSION_DAYS:  # hopelessly late units do not ask
        return None
    ask = workday(facts.due - timedelta(days=rng.randint(2, 15)))
    if ask <= sign_day:
        return None
    decide = workday(ask + timedelta(days=between(rng, office["extension_decide_days"])))
    wanted = min(facts.plan_end, submit_day + timedelta(days=rng.randint(3, 20)))
    if decide >= submit_day or wanted <= facts.due:
        return None
    return {"ask": ask, "decide": decide, "due": wanted, "grant": rng.random() < office["extension_grant"]}


def _progress(rng: random.Random, profile: dict[str, Any], sign_day: date, submit_day: date,
              extension: dict[str, Any] | None, add: Any, *, periodic: tuple[int, int]) -> None:
    """Progress updates every few weeks, short periodic reports where those leave a reporting period empty, and
    the extension's request and decision in their place."""
    events: list[tuple[date, str, dict[str, Any], random.Random | None]] = []
    day = sign_day + timedelta(days=between(rng, profile["progress_every_days"]))
    updates = []
    while day < submit_day:
        updates.append(workday(day))
        day += timedelta(days=between(rng, profile["progress_every_days"]))
    for number, update_day in enumerate(u for u in updates if u < submit_day):
        percent = min(90, 20 + 70 * (number + 1) // (len(updates) + 1))
        events.append((update_day, "progress", {"percent": percent, "evidence": rng.random() < profile["evidence"]},
                       None))
    seed, item_id = periodic
    events += [(day, "progress", {"percent": None, "evidence": False}, draw) for day, draw in
               periodic_reports(updates, rate=profile["periodic_report"], seed=seed, item_id=item_id,
                                sign_day=sign_day, submit_day=submit_day)]
    if extension is not None:
        events.append((extension["ask"], "ask_extension", {"due": extension["due"]}, None))
        events.append((extension["decide"], "decide_extension", {"grant": extension["grant"]}, None))
    for event_day, kind, data, draw in sorted(events, key=lambda e: (e[0], e[1])):
        add(event_day, kind, draw, **data)


def periodic_reports(updates: list[date], *, rate: float, seed: int, item_id: int, sign_day: date,
                     submit_day: date) -> list[tuple[date, random.Random]]:
    """The short reports a unit sends in reporting periods its planned updates leave empty, each period kept at
    the profile's `periodic_report` rate (the others are the periods it misses, 未按时报送), on a working day
    before the period's deadline. The demo runs with the default rhythm (monthly, by the 25th). Each period
    draws from a generator of its own, so the rest of the item's life is what it would be without them."""
    found = []
    period = last_period(DEFAULT, today=submit_day)
    while period is not None and period.due_on >= sign_day:
        if not any(period.opens_after < day <= period.due_on for day in updates):
            draw = rng_for(seed, "periodic", item_id, period.key)
            opens = max(sign_day, period.opens_after + timedelta(days=1))
            days = [opens + timedelta(days=n) for n in range((period.due_on - opens).days + 1)]
            working = [day for day in days if day.weekday() < 5]
            if working and draw.random() < rate:
                found.append((draw.choice(working), draw))
        period = last_period(DEFAULT, today=period.due_on)
    return found
