"""The wall screen for leaders' meetings (领导驾驶舱): the dashboard's figures full screen, large enough to read
across a room at 1920×1080, lights by unit, the week's 督办 and 通报, updating live (static/live.js refetches it
on every change). Its figures are the home page's overview (services/assessment/overview.py), so the wall, the
home page and the dashboard never disagree."""
from __future__ import annotations

from flask import Blueprint, Response, abort
from flask_login import current_user, login_required

from ..clock import utcnow
from ..services.assessment import overview
from ..services.work import boards
from ..settings import settings
from .htmx import render

bp = Blueprint("wall", __name__)


@bp.route("/dashboard/wall")
@login_required
def show() -> Response:
    """Only for those who see the whole city (the overview refuses anyone else)."""
    plan_id = boards.default_plan_id()
    if plan_id is None:
        abort(404)
    city = overview.overview(actor=current_user, plan_id=plan_id, now=utcnow(), timezone=settings().timezone,
                             warning_days=settings().warning_days, ladder=settings().ladder)
    return render("dashboard/wall.html", "dashboard/_wall.html", city=city, now=utcnow())
