"""Which phase of a plan a day belongs to: the one answer items, seeding and event duties all use.

A day inside a phase gets that phase. Work keeps arriving outside the phases (an ad-hoc item due after the plan,
an event on a day between two phases), so a day before the first phase gets the first, and any later day the
last phase that has begun by then.
"""
from __future__ import annotations

from datetime import date

from ...models import Phase, Plan


def phase_on(plan: Plan, day: date) -> Phase:
    """The phase containing `day`; before the first phase the first, otherwise the last one begun by then."""
    phases = sorted(plan.phases, key=lambda p: p.seq)
    begun = [p for p in phases if p.start_date <= day]
    return next((p for p in begun if p.contains(day)), begun[-1] if begun else phases[0])
