"""Reviewing submissions: the office's queue (on its workspace) and a district's, for the parts it split to its
townships (/review). Who reviews what is the services' rule (permissions.review_queue_clause, and
workflow.review checks the reviewer first); the page shows the actor's own queue and decides in place."""
from __future__ import annotations

from flask import Blueprint, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ..clock import utcnow
from ..models import ItemStatus, User
from ..services.plan import wording
from ..services.trust import permissions
from ..services.work import boards, items, workflow, workspace
from ..schemas import page_forms
from . import forms, inplace
from .access import changers_only
from ..settings import deadlines
from .htmx import render

bp = Blueprint("review", __name__)


def queue_of(actor: User) -> tuple[list[dict], dict]:
    """The submissions waiting for the actor's review, with what the reviewer reads before deciding."""
    queue, _next = boards.list_items(boards.ItemFilters(plan_id=boards.default_plan_id(), for_review=True),
                                     actor=actor, deadlines=deadlines(), after_id=None, limit=200)
    return queue, workspace.review_files([c["id"] for c in queue], actor=actor)


@bp.route("/review")
@changers_only
def queue() -> Response:
    """A district's queue: its townships' parts submitted for completion (the office's is on its workspace)."""
    found, files = queue_of(current_user)
    return render("review/page.html", queue=found, review=files)


@bp.route("/review/<id:item_id>", methods=["POST"])
@changers_only
def decide(item_id: int) -> Response:
    """Approve or return in place: the row is swapped out, a refusal shown beside its form (web/inplace.py)."""
    def decision() -> str:
        item = items.get_visible(item_id, actor=current_user)
        data = forms.form(page_forms.ReviewForm())
        workflow.review(item, actor=current_user, decision=data["decision"], expected_version=data["version"],
                        now=utcnow(), reason=data.get("reason"))
        return (_("Approved: %(title)s", title=wording.title(item)) if item.status == ItemStatus.DONE else
                _("Returned: %(title)s", title=wording.title(item)))
    back = url_for("office.workspace_page") if permissions.is_office(current_user) else url_for("review.queue")
    return inplace.decide(decision, row=f"review-{item_id}", back=back)
