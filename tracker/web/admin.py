"""Account administration for the office: disable or enable an account, reset its password."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..clock import utcnow
from ..extensions import db
from ..models import User
from ..services.trust import permissions, security

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users")
@login_required
def users() -> str:
    permissions.require_office(current_user)
    rows = db.session.scalars(sa.select(User).order_by(User.unit_id, User.username)).all()
    return render_template("admin_users.html", users=rows)


@bp.route("/users/<id:user_id>/<any(enable, disable):change>", methods=["POST"])
@login_required
def set_enabled(user_id: int, change: str) -> Response:
    security.set_enabled(security.account_to_administer(user_id, actor=current_user), enabled=change == "enable", actor=current_user, now=utcnow())
    flash(_("Account enabled") if change == "enable"
          else _("Account disabled: its sessions and API tokens stop working at once"))
    return redirect(url_for("admin.users"))


@bp.route("/users/<id:user_id>/reset-password", methods=["POST"])
@login_required
def reset_password(user_id: int) -> Response:
    user = security.account_to_administer(user_id, actor=current_user)
    password = security.office_reset_password(user, actor=current_user,
                                              hasher=current_app.extensions["password_hasher"], now=utcnow(),
                                              keep_session=session.get("sid"))
    flash(_("New password of %(user)s (shown this once only; it must be changed at the first login): %(password)s",
            user=user.username, password=password))
    return redirect(url_for("admin.users"))
