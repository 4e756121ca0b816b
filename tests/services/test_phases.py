"""Which phase a day falls in: one answer for items, seeding and event duties, with work outside the phases."""
from __future__ import annotations

from datetime import timedelta

from tracker.models import Plan
from tracker.services.plan.phases import phase_on


def test_a_day_inside_a_phase_falls_in_that_phase(plan: Plan) -> None:
    for phase in plan.phases:
        assert phase_on(plan, phase.start_date) is phase
        assert phase_on(plan, phase.end_date) is phase


def test_a_day_before_the_first_phase_falls_in_the_first(plan: Plan) -> None:
    first = min(plan.phases, key=lambda p: p.seq)
    assert phase_on(plan, first.start_date - timedelta(days=1)) is first
    assert phase_on(plan, first.start_date - timedelta(days=400)) is first


def test_a_day_after_the_last_phase_falls_in_the_last(plan: Plan) -> None:
    """Ad-hoc work keeps arriving after the plan's end: it belongs to its last phase."""
    last = max(plan.phases, key=lambda p: p.seq)
    assert phase_on(plan, last.end_date + timedelta(days=1)) is last
    assert phase_on(plan, last.end_date + timedelta(days=400)) is last


def test_a_day_between_two_phases_falls_in_the_one_that_ended_before_it(plan: Plan) -> None:
    first, second = sorted(plan.phases, key=lambda p: p.seq)[:2]
    gap_start = second.start_date
    second.start_date = gap_start + timedelta(days=10)
    assert phase_on(plan, gap_start + timedelta(days=3)) is first
    assert phase_on(plan, second.start_date) is second
