"""What a scripted scene of the demo may use of the replay playing it.

The replay (replay.py) runs the day loop and calls the scenes: the indicator figures (figures.py) and the fixed
shapes (shapes.py). They reach back for the script, the clock's zone, the people acting and the queue of steps
to come; naming that here, below all three, keeps the imports one way (replay -> scenes -> stage), so a scene
never imports the replay that calls it.
"""
from __future__ import annotations

from typing import Protocol

from ..models import Role, User
from ..services.work.progress import Storage
from .planner import Step
from .script import Script


class Stage(Protocol):
    script: Script
    plan_id: int
    zone: str
    storage: Storage
    unit_facts: dict[int, tuple[str, str]]

    def push(self, step: Step) -> None:
        """Queue a step for its moment."""

    def office(self) -> User:
        """The office's demo account."""

    def person(self, unit_id: int, role: Role) -> User:
        """The demo account of that role in that unit."""
