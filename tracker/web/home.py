"""The landing page after login: what waits for you (我的待办) and what your boards hold; for those who see the
whole city (a leader, the office) the city's overview (services.assessment.overview) instead of column counts."""
from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..clock import utcnow
from ..services.assessment import overview
from ..services.ledger import todo
from ..services.plan import plans
from ..services.trust import permissions
from ..services.work import boards
from ..services.work.workflow import STATUS_LABELS
from ..settings import settings
from .i18n import pick

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index() -> str:
    loaded = plans.all_plans()
    sections = todo.todo(actor=current_user, now=utcnow(), timezone=settings().timezone,
                         soon_days=settings().warning_days)
    plan_id = boards.default_plan_id()
    if permissions.sees_everything(current_user) and plan_id:
        city = overview.overview(actor=current_user, plan_id=plan_id, now=utcnow(),
                                 timezone=settings().timezone,
                                 warning_days=settings().warning_days,
                                 ladder=settings().ladder)
        return render_template("home.html", plans=loaded, sections=sections, city=city, columns=None)
    columns = [(pick(STATUS_LABELS[status]), n) for status, n in overview.column_counts(actor=current_user).items()]
    return render_template("home.html", columns=columns, plans=loaded, sections=sections, city=None)
