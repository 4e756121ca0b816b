"""Bulk decisions (issue 22): the office decides many items at once, each exactly as it would decide one.

Nothing here is a rule of its own. Each item goes through the single-item service (workflow.review for approve
and return, deadline_extensions.decide for grant and refuse, items.edit_item for a new due date,
assignment.set_units for a new lead unit), which asks item_rules, checks the version and writes the item's own
audit event. Each runs inside a SAVEPOINT of the request's one transaction: a refusal (a stale version, a rule's
403, the wrong column) rolls back that item alone and is reported in the service's own words, and the decisions
that went through commit together at the request's commit point. One transaction rather than a commit per item,
so the request's one commit point (tracker/transaction.py) stays the only one and a crash midway leaves nothing
half-decided; a refusal is an answer, not a failure, so it does not stop the others.

Bulk is the office's tool (the issue's "the office selects many items"): anyone else is refused (403) before any
item is looked at, and may still decide one item at a time where its rules allow (a district, the parts it split).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from ... import limits
from ...errors import Invalid, TrackerError
from ...extensions import db
from ...models import Unit, User, WorkItem
from ..plan import lookup
from ..trust import permissions
from . import assignment, deadline_extensions, items, workflow

# Every bulk action, in the order the pages offer them.
ACTIONS = ("approve", "return", "grant", "refuse", "redate", "reassign")
# What each action needs besides the items: reason (return, refuse: why; redate: why the date moves), due_date
# (redate), lead (reassign).
NEEDS: dict[str, tuple[str, ...]] = {"approve": (), "return": ("reason",), "grant": (), "refuse": ("reason",),
                                     "redate": ("due_date", "reason"), "reassign": ("lead",)}
REVIEW_ACTIONS = ("approve", "return")  # what a review queue offers: its items are all submitted


@dataclass(frozen=True)
class Target:
    """One item as the office saw it: its id and the version it decided on."""

    id: int
    version: int


@dataclass(frozen=True)
class Decision:
    """What is done to every item, with the words and values the action needs (NEEDS)."""

    action: str
    reason: str | None = None
    due_date: date | None = None
    lead: Unit | None = None


@dataclass(frozen=True)
class Outcome:
    """One item's answer: done (with its version now) or refused (with the service's refusal)."""

    id: int
    version: int | None = None
    refusal: TrackerError | None = None

    @property
    def ok(self) -> bool:
        return self.refusal is None


def offered(actor: User) -> tuple[str, ...]:
    """The bulk actions a page offers the actor: all of them to the office, none to anyone else (require)."""
    return ACTIONS if permissions.is_office(actor) else ()


def asked(action: str, body: Mapping[str, Any]) -> tuple[list[Target], Decision]:
    """What a bulk body asks, read the same for the API and the pages (both load it with schemas/bulk.py): the
    items as the office saw them, and the decision with its why (a reason, or a note for an extension), its new
    due date or its new lead unit (an unknown one is refused naming lead_unit_id)."""
    targets = [Target(entry["id"], entry["version"]) for entry in body["items"]]
    lead = lookup.unit(body["lead_unit_id"], "lead_unit_id") if action == "reassign" else None
    return targets, Decision(action, reason=body.get("reason", body.get("note")), due_date=body.get("due_date"),
                             lead=lead)


def require(actor: User) -> None:
    """Only the office decides in bulk (403 for anyone else, a read-only leader hearing its own refusal)."""
    permissions.require_office(actor)


def check_targets(targets: Sequence[Target]) -> None:
    """A list to decide: at least one item, at most limits.BULK_ITEMS, each id once (two versions of one item
    would be two answers to one question, so duplicates refuse the whole list rather than being folded)."""
    if not targets:
        raise Invalid("请选择要办理的工作项", "Choose the items to decide", code="nothing_chosen",
                      fields={"items": ["至少选择一项"]})
    if len(targets) > limits.BULK_ITEMS:
        raise Invalid(f"一次最多批量办理 {limits.BULK_ITEMS} 项,本次选择了 {len(targets)} 项,请缩小筛选范围",
                      f"At most {limits.BULK_ITEMS} items at once; {len(targets)} were chosen. Narrow the filter",
                      code="too_many_items", fields={"items": [f"最多 {limits.BULK_ITEMS} 项"]})
    twice = sorted(item_id for item_id, n in Counter(t.id for t in targets).items() if n > 1)
    if twice:
        named = ", ".join(str(item_id) for item_id in twice)
        raise Invalid(f"同一工作项不能重复列出:{named}", f"Each item may be listed once; listed twice: {named}",
                      code="duplicate_items", fields={"items": [f"重复:{named}"]})


def decide(targets: Sequence[Target], decision: Decision, *, actor: User, now: datetime) -> list[Outcome]:
    """Decide every item of the list as one at a time would, in the list's order; one Outcome per item.

    Raises (changing nothing) only for the list as a whole: NotAllowed for anyone but the office, Invalid for an
    empty, overlong or repeating list or a decision missing what its action needs. Every other refusal is the
    item's own and is returned in its Outcome.
    """
    require(actor)
    check_targets(targets)
    _check_decision(decision)
    _load([t.id for t in targets])
    act = _ACTS[decision.action]
    outcomes = []
    for target in targets:
        try:
            with db.session.begin_nested():
                item = items.get_visible(target.id, actor=actor)
                act(item, target.version, decision, actor, now)
        except TrackerError as refusal:
            outcomes.append(Outcome(target.id, refusal=refusal))
        except StaleDataError:  # another writer won, found at an autoflush inside the service
            outcomes.append(Outcome(target.id, refusal=workflow.changed_meanwhile()))
        else:
            outcomes.append(Outcome(target.id, version=item.version))
    return outcomes


def _check_decision(decision: Decision) -> None:
    if decision.action not in NEEDS:
        raise Invalid("不支持的批量操作", "Not a bulk action", code="unknown_action",
                      fields={"action": [f"须为 {', '.join(ACTIONS)} 之一"]})
    missing = [name for name in NEEDS[decision.action] if not getattr(decision, name)]
    if missing:
        raise Invalid("批量办理缺少必填内容", "The decision misses what its action needs", code="decision_incomplete",
                      fields={name: ["必填"] for name in missing})


def _load(item_ids: list[int]) -> None:
    """Load the items with what every decision reads of them in a few statements, so that the services' own
    look-ups (items.get_visible, the snapshot's cooperating units) find them in the session rather than asking
    once per item."""
    db.session.scalars(sa.select(WorkItem).where(WorkItem.id.in_(item_ids)).options(
        joinedload(WorkItem.task), joinedload(WorkItem.unit), selectinload(WorkItem.cooperators))).all()


def _approve_or_return(item: WorkItem, version: int, decision: Decision, actor: User, now: datetime) -> None:
    workflow.review(item, actor=actor, decision=decision.action, expected_version=version, now=now,
                    reason=decision.reason)


def _grant_or_refuse(item: WorkItem, version: int, decision: Decision, actor: User, now: datetime) -> None:
    """The item's waiting extension request, decided; the item's version is checked as every other action's
    is (the office decided on the item as it saw it)."""
    request = deadline_extensions.pending_request(item, actor=actor)
    workflow.check_version(item, version)
    deadline_extensions.decide(request, actor=actor, grant=deadline_extensions.DECISIONS[decision.action],
                               note=decision.reason, now=now)


def _redate(item: WorkItem, version: int, decision: Decision, actor: User, now: datetime) -> None:
    items.edit_item(item, actor=actor, changes={"due_date": decision.due_date}, expected_version=version, now=now,
                    reason=decision.reason)


def _reassign(item: WorkItem, version: int, decision: Decision, actor: User, now: datetime) -> None:
    """A new lead unit; the cooperating units stay (set_units drops the new lead from them)."""
    assert decision.lead is not None  # _check_decision
    assignment.set_units(item, actor=actor, lead=decision.lead, cooperating=[part.unit for part in item.cooperators],
                         expected_version=version, now=now)


_ACTS: dict[str, Callable[[WorkItem, int, Decision, User, datetime], None]] = {
    "approve": _approve_or_return, "return": _approve_or_return, "grant": _grant_or_refuse,
    "refuse": _grant_or_refuse, "redate": _redate, "reassign": _reassign,
}
