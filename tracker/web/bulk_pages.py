"""Bulk decisions on the office's board and review queue (issue 22): tick cards, or take every card the board's
current filter (or the queue) holds; a confirmation page shows how many and what will be done before anything is;
the result page lists what was done and what was refused, and why.

The decisions are services/work/bulk.py's, item by item through the single-item services; this module only turns
the pages' inputs into its list. The board's filter is read by the board's own entry point (BoardArgs.parse of
page_forms.BoardQuery), so "all N matching" is exactly the cards the board counted.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import limits
from ..clock import utcnow
from ..services.work import boards, bulk
from ..schemas import page_forms
from ..settings import deadlines
from . import forms
from .access import office_only
from .boards import BoardArgs
from .helpers import unit_options
from .htmx import render
from .review import queue_of

bp = Blueprint("bulk_pages", __name__, url_prefix="/bulk")

# Reading "every card the filter holds" stops here: enough to say exactly how many over the limit were chosen.
FILTER_READ = limits.BULK_ITEMS * 20


def action_label(action: str) -> str:
    """The bulk bar's words for each action."""
    return {"approve": _("Approve as done"), "return": _("Return with a reason"),
            "grant": _("Grant the extension requests"), "refuse": _("Refuse the extension requests"),
            "redate": _("Set a new due date"), "reassign": _("Change the lead unit")}[action]


def offered(review: bool = False) -> tuple[str, ...]:
    """The bulk actions the signed-in person is offered: on a review queue only its two, approve and return."""
    found = bulk.offered(current_user)
    return tuple(a for a in found if a in bulk.REVIEW_ACTIONS) if review else found


def _cards(filters: boards.ItemFilters, limit: int) -> list[dict[str, Any]]:
    cards, _next = boards.list_items(filters, actor=current_user, deadlines=deadlines(), after_id=None, limit=limit)
    return cards


@bp.route("/confirm", methods=["POST"])
@office_only
def confirm() -> Response:
    """What the bulk bar chose, shown with its count and its action before anything is done."""
    data = forms.form(page_forms.BulkChoiceForm())
    back = forms.local_url(data.get("next"), url_for("boards.show"))
    if data["scope"] == "filter":
        cards = _cards(BoardArgs.parse(forms.query(page_forms.BoardQuery())).filters_with(), FILTER_READ)
        chosen = [(card["id"], card["version"]) for card in cards]
    elif data["scope"] == "queue":
        cards = queue_of(current_user)[0]
        chosen = [(card["id"], card["version"]) for card in cards]
    else:
        chosen = [(entry["id"], entry["version"]) for entry in data["items"]]
        cards = []
    bulk.check_targets([bulk.Target(item_id, version) for item_id, version in chosen])
    if data["scope"] == "picked":  # their titles, now that there are not too many
        cards = _cards(boards.ItemFilters(ids=tuple(item_id for item_id, _v in chosen)), len(chosen))
    titles = {card["id"]: card["title"] for card in cards}
    return render("bulk/confirm.html", action=data["action"], chosen=chosen, titles=titles, back=back,
                  unit_choices=unit_options(current_user) if data["action"] == "reassign" else [])


@bp.route("/<any(approve, return, grant, refuse, redate, reassign):action>", methods=["POST"])
@office_only
def run(action: str) -> Response:
    """Decide every item confirmed, and say what was done and what was refused."""
    data = forms.form(page_forms.BULK_FORMS[action]())
    targets, decision = bulk.asked(action, data)
    outcomes = bulk.decide(targets, decision, actor=current_user, now=utcnow())
    cards = _cards(boards.ItemFilters(ids=tuple(o.id for o in outcomes)), len(outcomes))
    return render("bulk/result.html", action=action, done=[o for o in outcomes if o.ok],
                  refused=[o for o in outcomes if not o.ok], titles={card["id"]: card["title"] for card in cards},
                  back=forms.local_url(data.get("next"), url_for("boards.show")))
