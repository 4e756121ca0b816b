"""Login, logout and the password change, with the lockout and session rules of services.trust.security."""
from __future__ import annotations

from datetime import datetime


from argon2 import PasswordHasher
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..clock import utcnow
from .. import transaction
from ..database import outside_transaction
from ..services.trust import ldap_login, security
from ..settings import settings
from . import i18n
from .forms import local_url

ENDED = "session_ended"  # set by web/sessions.py when a session ended on the server
CODE_OWED = "two_factor_pending"
SIGNED_ON = "signed_on_via"  # the source that vouched for this session's person (no local password change owed)  # a right password's account and time, waiting for its code (web/two_factor.py)

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    """WTForms rather than forms.form(schema): the lockout needs the failed attempt kept and the form shown
    again with its message (a 401 page of its own), which the one-validator seam's 422 refusal does not do."""

    username = StringField(_l("Login name"), validators=[DataRequired(_l("Enter your login name")),
                                                         Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password")), Length(max=256)])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your current password")),
                                                                 Length(max=256)])
    new = PasswordField(_l("New password"), validators=[DataRequired(_l("Enter a new password")), Length(max=256)])


def policy() -> security.SecurityPolicy:
    return settings().security


def _hasher() -> PasswordHasher:
    return current_app.extensions["password_hasher"]


@bp.route("/login", methods=["GET", "POST"])
def login() -> tuple[str, int] | Response:
    form = LoginForm()
    error = None
    ended = session.pop(ENDED, False) and request.method == "GET"
    back = local_url(request.args.get("next"), "")
    if back.startswith(("/login", "/logout")):
        back = ""
    if form.validate_on_submit():
        outcome, why_not, via = _check(form.username.data or "", form.password.data or "")
        if outcome.user is not None and outcome.needs_code:  # not signed in until the second factor is right
            session.clear()
            session[CODE_OWED] = {"uid": outcome.user.id, "at": utcnow().isoformat(), "back": back, "via": via}
            return redirect(url_for("two_factor.code"))
        if outcome.user is not None:
            session.clear()
            record = security.start_session(outcome.user, address=request.remote_addr or "-", now=utcnow())
            session["sid"] = record.id
            if via:
                session[SIGNED_ON] = via
            login_user(outcome.user)
            return redirect(back or url_for("home.index"))
        transaction.keep_refusal()  # the failure counts toward the lockout
        error = why_not or _refusal(outcome)
    status = 401 if request.method == "POST" else 200
    return render_template("login.html", form=form, error=error, ended=ended, back=back or None), status


def _check(username: str, password: str) -> tuple[security.LoginOutcome, str | None, str | None]:
    """The password checked locally, or with LDAP on against the directory first (services/trust/ldap_login.py);
    with the directory's own reason to refuse, when it has one, and "ldap" when the directory vouched."""
    found = settings()
    if "ldap" not in found.sign_on.sources or found.ldap is None:
        return security.attempt_login(username, password, address=request.remote_addr or "-", hasher=_hasher(),
                                      policy=policy(), now=utcnow()), None, None
    checked = ldap_login.attempt_login(username, password, address=request.remote_addr or "-",
                                       directory=found.ldap, sign_on=found.sign_on, hasher=_hasher(),
                                       policy=policy(), now=utcnow(), outside=outside_transaction)
    if checked.outcome.user is not None or checked.outcome.locked_until is not None:
        return checked.outcome, None, "ldap" if checked.vouched else None
    if checked.refused is not None:
        return checked.outcome, checked.refused.message(i18n.current_lang()), None
    if checked.unavailable and not checked.outcome.password_off:
        return checked.outcome, _("The city's directory cannot be reached just now, so only local passwords "
                                  "work: try again later"), None
    return checked.outcome, None, None


def _refusal(outcome: security.LoginOutcome) -> str:
    if outcome.password_off:
        return _("Your role signs in through the city's identity platform, not with a password here")
    if outcome.locked_until is None:
        return _("Wrong login name or password")
    return locked_message(outcome.locked_until)


def locked_message(until: datetime) -> str:
    """The lockout in words, for a wrong password and a wrong second-factor code alike."""
    local = until.astimezone(settings().zone)
    return _("Too many failed logins: locked for now, try again after %(time)s", time=f"{local:%Y-%m-%d %H:%M}")


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    security.end_session(session.get("sid"), actor=current_user, now=utcnow())
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password() -> tuple[str, int] | Response:
    form = PasswordForm()
    errors: dict[str, list[str]] = {}
    if form.validate_on_submit():
        try:
            security.change_password(current_user, current=form.current.data or "", new=form.new.data or "",
                                     address=request.remote_addr or "-", hasher=_hasher(), policy=policy(),
                                     now=utcnow(), keep_session=session.get("sid"))
        except security.PasswordChangeRefused as refused:
            transaction.keep_refusal()  # a failed check of the current password counts toward the lockout
            errors = refused.fields_in(i18n.current_lang())
        else:
            flash(_("Password changed"))
            return redirect(url_for("home.index"))
    status = 422 if errors else 200
    return render_template("password.html", form=form, errors=errors, rules=_rules()), status


def _rules() -> str:
    return security.password_rules(policy(), i18n.current_lang())
