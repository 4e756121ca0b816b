"""What a person is offered on an item: the moves (target columns), the other actions, and which moves need
words or evidence first.

Built from item_rules alone, so the pages, the API (`offers` on every card and item, as Taiga sends
`my_permissions`) and app.js (which reads it from the page) offer exactly what the services accept: an action is
offered when its rule has no refusal, and the service asks the same rule before it acts.
"""
from __future__ import annotations

from typing import Any

from ...errors import Invalid
from ...models import ItemStatus, User, WorkItem
from ..trust import permissions
from . import item_rules
from .item_rules import Day, Facts
from .workflow import TRANSITIONS, check_transition

# Everything besides moving a card, in the order the item page shows it.
ACTIONS = ("progress", "answer", "ask_extension", "decide_extension", "contest", "decide_contest", "mark_part",
           "name_person", "split", "edit", "set_units", "cancel", "instruct", "comment")
NOTHING: dict[str, Any] = {"moves": [], "reorder": False, "actions": []}


def moves(actor: User, facts: Facts) -> list[dict[str, Any]]:
    """The columns the card may go to from its own, each with its action and what it asks for first: a note
    ("report": a closing report, "reason": why it is returned) and, for a submission, evidence ("required":
    refused without any on the item, "asked": taken with a warning)."""
    return [{"to": t.target.value, "action": t.action, "note": t.note,
             "evidence": facts.evidence_rule.value if t.action == "submit" else None}
            for t in TRANSITIONS if t.source == facts.status and item_rules.may(actor, facts, t.action)]


def of_card(actor: User, facts: Facts) -> dict[str, Any]:
    """A board card's offers: its moves, and whether it may be reordered within its column."""
    return {"moves": moves(actor, facts), "reorder": item_rules.may(actor, facts, "reorder")}


def of_item(actor: User, item: WorkItem, day: Day, **known: Any) -> dict[str, Any]:
    """An item's offers: a card's, and the actions of its page, judged on `day` (a contest's window counts
    working days). Nothing for an item the actor may not see. `known`: facts the item's load already answered
    (Facts: a fact given is not asked of the database)."""
    if not permissions.can_see_item(actor, item):
        return dict(NOTHING)
    facts = Facts.of(item, day, **known)
    return of_card(actor, facts) | {"actions": [a for a in ACTIONS if item_rules.may(actor, facts, a)]}


def offered_move(actor: User, item: WorkItem, to: ItemStatus | str) -> dict[str, Any]:
    """One move to another column, as offered; the refusal the move itself would raise when it is not."""
    facts = Facts.of(item)
    item_rules.require(actor, facts, "reorder")
    transition = check_transition(actor, facts, ItemStatus(to))
    if transition is None:
        raise Invalid("工作项已在该列", "The item is already in that column", code="same_column")
    return next(move for move in moves(actor, facts) if move["to"] == transition.target.value)
