"""The item as the rules of services/work/item_rules.py read it: `Facts`, built from a loaded item (every fact at
hand, the few that need a query asked only by the rules that read them) or from a board card's row (enough for its
moves), and the `Day` a window of working days is judged on.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ...extensions import db
from ...models import (
    ContestStatus,
    EvidenceRule,
    ExtensionRequest,
    ExtensionStatus,
    ItemContest,
    ItemStatus,
    ProgressUpdate,
    WorkItem,
)
from ..ledger import records
from ..plan.workdays import Calendar
from . import evidence


def window_closes(item: WorkItem, calendar: Calendar) -> date:
    """The last day the item may be contested (退办 / 异议): the plan's `contest_days` working days after the day
    it was assigned, in the plan's time zone."""
    assigned = item.created_at.astimezone(ZoneInfo(item.plan.timezone)).date()
    return calendar.after_working_days(assigned, item.plan.contest_days)


@dataclass(frozen=True)
class Day:
    """The day a rule is asked on, with the calendar of working days: what a window counted in working days (the
    window to contest an item) needs. The doors build it from the clock and the settings."""
    today: date
    calendar: Calendar


class Facts:
    """The item as the rules read it. Built from an item (`of`) or from a board card's row (`of_card`)."""

    def __init__(self, item: WorkItem | None = None, /, *, evidence_of: Callable[[], EvidenceRule] | None = None,
                 day: Day | None = None, **known: Any) -> None:
        self._item = item
        self._evidence_of = evidence_of
        self._day = day
        self.__dict__.update(known)  # a fact given here is not asked of the database

    id: int
    status: ItemStatus
    unit_id: int
    parent_id: int | None
    cancelled: bool
    due_date: date | None

    @classmethod
    def of(cls, item: WorkItem, day: Day | None = None, **known: Any) -> Facts:
        """`known`: facts the item's load already answered (services/work/detail.py), not asked again."""
        return cls(item, day=day, id=item.id, status=ItemStatus(item.status), unit_id=item.unit_id,
                   parent_id=item.parent_id, cancelled=item.cancelled_at is not None, due_date=item.due_date, **known)

    @property
    def item(self) -> WorkItem:
        assert self._item is not None, "a card's facts hold only what its moves need"
        return self._item

    @cached_property
    def parent_unit_id(self) -> int | None:
        """The unit that split the item (its parent's lead unit), which supervises it."""
        return self.item.parent.unit_id if self.item.parent is not None else None

    @cached_property
    def open_children(self) -> list[WorkItem]:
        """Sub-items neither done nor cancelled: the item cannot be submitted while one is open (a card whose row
        says it has none gives an empty list)."""
        return list(db.session.scalars(sa.select(WorkItem).where(
            WorkItem.parent_id == self.id, WorkItem.status != ItemStatus.DONE, WorkItem.cancelled_at.is_(None))
            .order_by(WorkItem.id)))

    @cached_property
    def submitted_by(self) -> int | None:
        """Who wrote the latest closing report: they may not approve it themselves."""
        return db.session.execute(
            sa.select(ProgressUpdate.author_id)
            .where(ProgressUpdate.item_id == self.id, ProgressUpdate.is_closing_report.is_(True))
            .order_by(ProgressUpdate.id.desc()).limit(1)).scalar()

    @cached_property
    def extension_pending(self) -> bool:
        return db.session.execute(sa.select(ExtensionRequest.id).where(
            ExtensionRequest.item_id == self.id, ExtensionRequest.status == ExtensionStatus.PENDING)).first() \
            is not None

    @property
    def day(self) -> Day:
        assert self._day is not None, "a window of working days is judged on a day"
        return self._day

    @cached_property
    def contest_closes(self) -> date:
        return window_closes(self.item, self.day.calendar)

    @cached_property
    def contest_pending(self) -> ItemContest | None:
        return db.session.scalar(sa.select(ItemContest).where(ItemContest.item_id == self.id,
                                                               ItemContest.status == ContestStatus.PENDING))

    @cached_property
    def evidence_rule(self) -> EvidenceRule:
        return self._evidence_of() if self._evidence_of else evidence.rule_of(self.item)

    owes_answers = True  # whether any unit may owe an answer: asked per unit unless a load knew of none

    def answers_owed(self, unit_id: int) -> list[Any]:
        """The open 督办 records of the item the unit owes an answer to (what one answer covers)."""
        return records.open_answer_owing(self.id, unit_id=unit_id) if self.owes_answers else []

    def part_of(self, unit_id: int) -> Any:
        """The unit's cooperating part (配合) of the item, if it cooperates."""
        return next((part for part in self.item.cooperators if part.unit_id == unit_id), None)
