"""Accounts on the web: the office creates, edits, moves, disables, re-enables and resets every account; a
unit's admin does the same for its own unit's members (services/trust/account_admin.py decides). A generated
password is on the page only in the answer that made it."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..clock import utcnow
from ..models import Role, User
from ..schemas import page_forms
from ..schemas.accounts import AccountFilterArgs
from ..services.plan import glossary
from ..services.trust import account_admin, two_factor
from . import forms, i18n
from .helpers import unit_options
from .htmx import render

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _choices() -> dict[str, Any]:
    """The roles and units the signed-in administrator may hand out, for the forms."""
    units = unit_options(current_user) if account_admin.grantable_unit_ids(current_user) is None \
        else [{"id": current_user.unit_id, "label": current_user.unit.short_name}]
    return {"roles": account_admin.grantable_roles(current_user), "units": units}


@bp.route("/users")
@login_required
def users() -> Response:
    args = forms.query(AccountFilterArgs())
    filters = account_admin.AccountFilters(q=args["q"], role=args["role"], unit_id=args["unit"],
                                           enabled=args["enabled"])
    # Each role's words once (the office's is its unit's name, a query), not once per row.
    words = {role: glossary.role_label(role, i18n.current_lang()) for role in Role}
    rows = [(row, words[row.user.role]) for row in account_admin.list_accounts(actor=current_user, filters=filters)]
    return render("admin_users.html", rows=rows, args=args, **_choices())


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def create() -> Response:
    account_admin.require_administer_accounts(current_user)
    if request.method == "POST":
        data = forms.form(page_forms.AccountForm())
        user, password = account_admin.create_account(
            actor=current_user, username=data["username"], display_name=data["display_name"], role=data["role"],
            unit_id=data["unit_id"], email=data["email"], hasher=current_app.extensions["password_hasher"],
            now=utcnow())
        flash(_("Account %(user)s created. Its password (shown this once only; it must be changed at the first "
                "login): %(password)s", user=user.username, password=password))
        return forms.finished(url_for("admin.users"))
    return render("admin_user_form.html", user=None, current_role=None, **_choices())


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
@login_required
def edit(user_id: int) -> Response:
    user = account_admin.account_to_administer(user_id, actor=current_user)
    if request.method == "POST":
        data = forms.form(page_forms.AccountEditForm())
        account_admin.update_account(user, actor=current_user, display_name=data["display_name"],
                                     email=data["email"], role=data["role"], unit_id=data["unit_id"], now=utcnow())
        flash(_("Account %(user)s saved.", user=user.username))
        return forms.finished(url_for("admin.users"))
    return render("admin_user_form.html", user=user, current_role=user.role,
                  two_factor_on=two_factor.is_enrolled(user), **_choices())


@bp.route("/users/<id:user_id>/<any(enable, disable):change>", methods=["POST"])
@login_required
def set_enabled(user_id: int, change: str) -> Response:
    user: User = account_admin.account_to_administer(user_id, actor=current_user)
    account_admin.set_enabled(user, enabled=change == "enable", actor=current_user, now=utcnow())
    flash(_("Account enabled") if change == "enable"
          else _("Account disabled: its sessions and API tokens stop working at once"))
    return forms.finished(url_for("admin.users"))


@bp.route("/users/<id:user_id>/reset-password", methods=["POST"])
@login_required
def reset_password(user_id: int) -> Response:
    user = account_admin.account_to_administer(user_id, actor=current_user)
    password = account_admin.reset_password(user, actor=current_user, hasher=current_app.extensions["password_hasher"],
                                            now=utcnow(), keep_session=session.get("sid"))
    flash(_("New password of %(user)s (shown this once only; it must be changed at the first login): %(password)s",
            user=user.username, password=password))
    return forms.finished(url_for("admin.users"))


@bp.route("/users/<id:user_id>/reset-two-factor", methods=["POST"])
@login_required
def reset_two_factor(user_id: int) -> Response:
    user = account_admin.account_to_administer(user_id, actor=current_user)
    two_factor.reset(user, actor=current_user, now=utcnow())
    flash(_("Two-factor sign-in of %(user)s reset: it sets it up again at its next login if its role requires it.",
            user=user.username))
    return forms.finished(url_for("admin.edit", user_id=user.id))
