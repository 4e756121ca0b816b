"""The landing page after login: who you are and what your boards hold."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from ..extensions import db
from ..models import ItemStatus, Plan, WorkItem
from ..services import permissions
from ..services.workflow import STATUS_LABELS
from .i18n import pick

bp = Blueprint("home", __name__)


@bp.route("/")
@login_required
def index() -> str:
    counts = dict(db.session.execute(
        sa.select(WorkItem.status, sa.func.count()).where(permissions.visible_items_clause(current_user))
        .group_by(WorkItem.status)).all())
    columns = [(pick(STATUS_LABELS[s]), counts.get(s, 0)) for s in ItemStatus]
    plans = db.session.scalars(sa.select(Plan).order_by(Plan.id)).all()
    return render_template("home.html", columns=columns, plans=plans)
