"""The second factor on the web: the code after the password (`/login/code`), and enrolment with a QR code drawn on
the server (`/account/two-factor`), required before anything else for the roles the configuration names.
services/trust/two_factor.py decides; a password login that owes a code keeps only the account's id and the time
in the signed session, for five minutes, and is not signed in until the code is right."""
from __future__ import annotations

from datetime import datetime, timedelta

import segno
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from .. import transaction
from ..errors import Invalid
from ..clock import utcnow
from ..extensions import db
from ..models import User
from ..services.trust import security, two_factor
from . import i18n
from .auth import CODE_OWED, SIGNED_ON, locked_message, policy

bp = Blueprint("two_factor", __name__)
ENROLLING = "two_factor_secret"  # the secret shown on the enrolment page until a code confirms it
CODE_OWED_FOR = timedelta(minutes=5)


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Enter the code")), Length(max=32)])


def _pending_user() -> tuple[User | None, str]:
    pending = session.get(CODE_OWED) or {}
    try:
        started = datetime.fromisoformat(pending["at"])
    except (KeyError, TypeError, ValueError):
        return None, ""
    if utcnow() - started > CODE_OWED_FOR:
        session.pop(CODE_OWED, None)
        return None, ""
    user = db.session.get(User, pending.get("uid"))
    return (user if user is not None and user.is_enabled else None), pending.get("back") or ""


@bp.route("/login/code", methods=["GET", "POST"])
def code() -> tuple[str, int] | Response:
    user, back = _pending_user()
    if user is None:
        flash(_("Enter your password again: the code was not given within five minutes."))
        return redirect(url_for("auth.login"))
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        outcome = two_factor.check_code(user, form.code.data or "", address=request.remote_addr or "-",
                                        policy=policy(), now=utcnow())
        if outcome.ok:
            via = (session.get(CODE_OWED) or {}).get("via")  # the directory vouched for the password
            session.clear()
            session["sid"] = security.start_session(user, address=request.remote_addr or "-", now=utcnow()).id
            if via:
                session[SIGNED_ON] = via
            login_user(user)
            if outcome.used_recovery_code:
                flash(_("You signed in with a recovery code; %(n)d are left.", n=two_factor.recovery_codes_left(user)))
            return redirect(back or url_for("home.index"))
        transaction.keep_refusal()  # a wrong code counts toward the lockout, as a wrong password does
        if outcome.locked_until is not None:
            session.pop(CODE_OWED, None)
            error = locked_message(outcome.locked_until)
        else:
            error = _("Wrong code")
    status = 401 if request.method == "POST" else 200
    return render_template("two_factor_code.html", form=form, error=error), status


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def enrol() -> tuple[str, int] | Response:
    if two_factor.is_enrolled(current_user):
        session.pop(ENROLLING, None)
        return render_template("two_factor.html", enrolled=True,
                               left=two_factor.recovery_codes_left(current_user)), 200
    secret = session.get(ENROLLING) or two_factor.new_secret()
    session[ENROLLING] = secret
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        try:
            codes = two_factor.confirm_enrolment(current_user, secret=secret, code=form.code.data or "", now=utcnow())
        except Invalid as refused:
            error = refused.message(i18n.current_lang())
        else:
            session.pop(ENROLLING, None)
            return render_template("two_factor.html", enrolled=True, codes=codes), 200
    uri = two_factor.provisioning_uri(current_user, secret)
    qr = Markup(segno.make(uri, error="m").svg_inline(scale=5, title=_("QR code for your authenticator app")))
    status = 422 if error else 200
    return render_template("two_factor.html", enrolled=False, form=form, qr=qr, secret=secret, error=error,
                           required=current_user.role in policy().two_factor_roles), status
