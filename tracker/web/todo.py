"""One section of 我的待办 whole: where the start page's "and 36 more" leads (the start page lists ten a section)."""
from __future__ import annotations

from flask import Blueprint, Response, abort
from flask_login import current_user, login_required

from ..clock import utcnow
from ..services.ledger import todo
from ..settings import settings
from .helpers import every_unit_option
from .htmx import render

bp = Blueprint("todo", __name__)


@bp.route("/todo/<key>")
@login_required
def section(key: str) -> Response:
    found = todo.section(key, actor=current_user, now=utcnow(), timezone=settings().timezone,
                         soon_days=settings().warning_days)
    if found is None:  # no such section, or one of another role's list (a unit asking for 待审核)
        abort(404)
    # the office decides contests from their list: the units a contest may go to
    return render("todo/section.html", s=found, every_unit=every_unit_option() if key == "contests" else [])
