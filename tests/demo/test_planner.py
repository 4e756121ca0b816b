"""The planner on plain values: an item's steps start after it exists, fall on working days, end approved."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from tracker.demo.planner import ItemFacts, plan_item, workday
from tracker.demo.script import read_script
from tracker.services.plan.reporting_rhythms import DEFAULT, last_period

SCRIPT = read_script()


@pytest.mark.parametrize("profile", sorted(SCRIPT.profiles))
@pytest.mark.parametrize("item_id", range(1, 40))
def test_an_items_steps_are_in_order_on_working_days_after_it_was_created(profile: str, item_id: int) -> None:
    created = datetime(2023, 3, 1, 7, 33, tzinfo=timezone.utc)
    facts = ItemFacts(id=item_id, due=date(2023, 6, 30), created=date(2023, 3, 1), created_at=created,
                      plan_end=date(2025, 12, 31))
    steps = plan_item(facts, profile=SCRIPT.profiles[profile], office=SCRIPT.office, seed=SCRIPT.seed,
                      zone="Asia/Shanghai")
    moments = [step.at for step in steps]
    assert moments == sorted(moments) and len(set(moments)) == len(moments)
    assert moments[0] > created
    assert all(m.astimezone(ZoneInfo("Asia/Shanghai")).weekday() < 5 for m in moments)
    kinds = [step.kind for step in steps]
    assert kinds[0] == "sign" and kinds[-1] == "approve"
    assert kinds.count("submit") == kinds.count("return") + 1


def test_the_same_seed_plans_the_same_life() -> None:
    facts = ItemFacts(id=7, due=date(2023, 12, 31), created=date(2023, 1, 1),
                      created_at=datetime(2023, 1, 1, 1, 0, tzinfo=timezone.utc), plan_end=date(2025, 12, 31))
    plan = [plan_item(facts, profile=SCRIPT.profiles["steady"], office=SCRIPT.office, seed=seed,
                      zone="Asia/Shanghai") for seed in (1, 1, 2)]
    assert plan[0] == plan[1] != plan[2]


def test_a_weekend_moves_to_monday() -> None:
    assert workday(date(2024, 6, 29)) == date(2024, 7, 1)
    assert workday(date(2024, 6, 28)) == date(2024, 6, 28)


def _reporting_periods_left_empty(profile: dict, item_id: int) -> tuple[int, int]:
    """(periods from signing to the first submission, those with no progress at all) for one item."""
    facts = ItemFacts(id=item_id, due=date(2024, 6, 30), created=date(2023, 1, 1),
                      created_at=datetime(2023, 1, 1, 1, 0, tzinfo=timezone.utc), plan_end=date(2025, 12, 31))
    steps = plan_item(facts, profile=profile, office=SCRIPT.office, seed=SCRIPT.seed, zone="Asia/Shanghai")
    zone = ZoneInfo("Asia/Shanghai")
    signed = next(s.at for s in steps if s.kind == "sign").astimezone(zone).date()
    submitted = next(s.at for s in steps if s.kind == "submit").astimezone(zone).date()
    reported = [s.at.astimezone(zone).date() for s in steps if s.kind in ("progress", "submit")]
    periods = empty = 0
    period = last_period(DEFAULT, today=submitted)
    while period is not None and period.due_on >= signed:
        periods += 1
        empty += not any(period.opens_after < day <= period.due_on for day in reported)
        period = last_period(DEFAULT, today=period.due_on)
    return periods, empty


def test_a_unit_that_always_reports_leaves_no_monthly_period_empty_and_one_that_never_does_leaves_some() -> None:
    always = SCRIPT.profiles["steady"] | {"periodic_report": 1.0}
    never = SCRIPT.profiles["steady"] | {"periodic_report": 0.0}
    assert all(_reporting_periods_left_empty(always, item_id)[1] == 0 for item_id in range(1, 30))
    assert sum(_reporting_periods_left_empty(never, item_id)[1] for item_id in range(1, 30)) > 0


def test_periodic_reports_leave_the_rest_of_an_items_life_as_it_was() -> None:
    facts = ItemFacts(id=11, due=date(2024, 6, 30), created=date(2023, 1, 1),
                      created_at=datetime(2023, 1, 1, 1, 0, tzinfo=timezone.utc), plan_end=date(2025, 12, 31))

    def life(rate: float) -> list[tuple[str, date]]:
        steps = plan_item(facts, profile=SCRIPT.profiles["laggard"] | {"periodic_report": rate},
                          office=SCRIPT.office, seed=SCRIPT.seed, zone="Asia/Shanghai")
        return [(s.kind, s.at.date()) for s in steps if s.data.get("percent", 0) is not None]
    assert life(1.0) == life(0.0)
