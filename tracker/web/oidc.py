"""Sign-on through the city's identity platform by OpenID Connect: the authorization code flow with PKCE, through
Authlib's Flask client.

`/login/oidc` sends the browser to the platform with a fresh state, nonce and PKCE verifier (kept in the signed
session by Authlib); `/login/oidc/callback` exchanges the code, checks the ID token (signature against the
platform's published keys, issuer, audience, expiry, nonce), reads its claims into a DirectoryPerson
(services/trust/oidc_claims.py) and lets services/trust/sign_on.py say which account that is. From there it is a
password login's end: the same session record, and the second factor still owed when the account has one
(web/two_factor.py's CODE_OWED page) or enrolled first when its role must (web/sessions.py).

Both calls to the platform (its metadata and keys, the token exchange) happen before the request's transaction
begins (`database.outside_transaction`), so a slow platform never holds the database's write lock. Each refusal
is shown on the login page in the reader's language and audited (auth.sign_on_refused).
"""
from __future__ import annotations

import re
from typing import Any

import requests
from argon2 import PasswordHasher
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App, OAuthError
from flask import Blueprint, Flask, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from .. import transaction
from ..clock import utcnow
from ..database import outside_transaction, write_transaction
from ..errors import TrackerError
from ..extensions import db
from ..services.trust import oidc_claims, security, sign_on, sign_on_audit, two_factor
from ..services.trust.oidc_claims import OidcSettings
from ..settings import settings
from . import i18n
from .auth import CODE_OWED, LoginForm
from .forms import local_url

bp = Blueprint("oidc", __name__)
NAME = "tracker_oidc"  # Authlib keeps its state under _state_tracker_oidc_<state> in the session
CLIENTS = "tracker_oidc_clients"
BACK = "oidc_back"  # the page to return to, kept across the trip to the platform


def oidc_settings() -> OidcSettings | None:
    """The platform's settings when OIDC sign-on is on; None when it is off (the routes then do not exist)."""
    found = settings()
    return found.oidc if "oidc" in found.sign_on.sources else None


def init_oidc(app: Flask) -> None:
    """The login page's button: its words when OIDC sign-on is on, else nothing."""
    @app.context_processor
    def sign_on_button() -> dict[str, Any]:
        oidc = oidc_settings()
        return {"oidc_button": (oidc.label or _("Sign on through the identity platform")) if oidc else None}


def _client(oidc: OidcSettings) -> FlaskOAuth2App:
    """One Authlib client per settings, built at first use: the platform's metadata is fetched then, not while the
    app starts (a platform down at start must not stop the tracker, whose local accounts still work)."""
    clients: dict[OidcSettings, FlaskOAuth2App] = current_app.extensions.setdefault(CLIENTS, {})
    if oidc not in clients:
        clients[oidc] = FlaskOAuth2App(
            FlaskIntegration(NAME), NAME, client_id=oidc.client_id, client_secret=oidc.client_secret,
            server_metadata_url=oidc.discovery_url,
            client_kwargs={"scope": oidc.scopes, "code_challenge_method": "S256",
                           "token_endpoint_auth_method": oidc.token_auth, "default_timeout": oidc.timeout_seconds})
    return clients[oidc]


@bp.route("/login/oidc")
def start() -> Response | tuple[str, int]:
    oidc = oidc_settings()
    if oidc is None:
        abort(404)
    back = local_url(request.args.get("next"), "")
    if current_user.is_authenticated:
        return redirect(back or url_for("home.index"))
    session[BACK] = "" if back.startswith(("/login", "/logout")) else back
    redirect_uri = oidc.redirect_uri or url_for("oidc.callback", _external=True)
    try:
        response: Response = outside_transaction(lambda: _client(oidc).authorize_redirect(redirect_uri))
    except (requests.RequestException, ValueError, KeyError, RuntimeError):
        return _refuse("platform_unreachable", _("The identity platform cannot be reached; try again later or "
                                                 "sign in with your password"))
    return response


@bp.route("/login/oidc/callback")
def callback() -> Response | tuple[str, int]:
    oidc = oidc_settings()
    if oidc is None:
        abort(404)
    client = _client(oidc)
    options = {"iss": {"essential": True, "value": oidc.issuer},
               "aud": {"essential": True, "value": oidc.client_id}, "sub": {"essential": True}}
    try:
        token = outside_transaction(lambda: client.authorize_access_token(claims_options=options))
    except OAuthError as error:
        return _refuse(str(error.error), _oauth_words(str(error.error)))
    except JoseError as error:
        return _refuse(f"id_token:{error.error}", _("The identity platform's answer failed its checks (%(what)s); "
                                                    "sign on again", what=error.error))
    except (requests.RequestException, ValueError, KeyError, RuntimeError):
        return _refuse("platform_unreachable", _("The identity platform cannot be reached; try again later or "
                                                 "sign in with your password"))
    claims = token.get("userinfo")
    if not claims:
        return _refuse("no_id_token", _("The identity platform sent no ID token; sign on again"))
    return _sign_on(claims, oidc)


def _sign_on(claims: dict[str, Any], oidc: OidcSettings) -> Response | tuple[str, int]:
    """The verified claims to an account and a session, in one transaction that takes the write lock first."""
    now, address = utcnow(), request.remote_addr or "-"
    with write_transaction():
        try:
            person = oidc_claims.person_from_claims(claims, oidc)
            user = sign_on.account_for(person, policy=settings().sign_on, hasher=_hasher(), now=now)
        except TrackerError as refused:
            db.session.rollback()  # nothing of a refused sign-on stays but its audit event
            who = claims.get(oidc.claim("login")) or claims.get("sub")
            return _refuse(refused.code, refused.message(i18n.current_lang()), who=str(who) if who else None)
        back = session.get(BACK) or ""
        owed = two_factor.is_enrolled(user)
        sign_on_audit.signed_on(user, source=oidc_claims.SOURCE, address=address, code_owed=owed, now=now)
        session.clear()
        if owed:  # not signed in until the code is right, as after a right password
            session[CODE_OWED] = {"uid": user.id, "at": now.isoformat(), "back": back}
            return redirect(url_for("two_factor.code"))
        session["sid"] = security.start_session(user, address=address, now=now).id
        login_user(user)
        return redirect(back or url_for("home.index"))


def _refuse(reason: str, words: str, *, who: str | None = None) -> tuple[str, int]:
    """The login page with the reason in words; the refusal is audited and that record kept."""
    with write_transaction():
        sign_on_audit.refused(source=oidc_claims.SOURCE, reason=reason[:100], who=who,
                              address=request.remote_addr or "-", now=utcnow())
    transaction.keep_refusal()
    session.pop(BACK, None)
    return render_template("login.html", form=LoginForm(), error=words, ended=False, back=None), 401


def _oauth_words(error: str) -> str:
    """Words for an OAuth error code. The code may come from the query string of a link anyone can make, so only
    a code's shape is shown, never a description the platform (or someone else) wrote."""
    if error == "mismatching_state":
        return _("This sign-on was already used or has expired; start again from the login page")
    if error == "access_denied":
        return _("The identity platform did not vouch for you (sign-on cancelled or refused)")
    shown = error if re.fullmatch(r"[a-z_]{1,40}", error or "") else "invalid_response"
    return _("The identity platform refused the sign-on (%(error)s); start again from the login page", error=shown)


def _hasher() -> PasswordHasher:
    return current_app.extensions["password_hasher"]
