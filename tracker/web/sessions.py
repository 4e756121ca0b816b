"""Loading the logged-in user from the server-side session, the way to the login page (saying so when a session
ended, with the page to come back to), the first-login password change, then the enrolment of a second factor
for the roles that must sign in with one."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, flash, make_response, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..clock import utcnow
from ..database import write_apart
from ..extensions import login_manager
from ..models import User
from ..services.trust import security, two_factor
from .auth import ENDED, SIGNED_ON, policy
from .forms import local_url
from .htmx import wants_fragment

OPEN_WHILE_PASSWORD_DUE = {"auth.change_password", "auth.logout", "auth.login", "static",
                           "language.switch", "two_factor.code"}
OPEN_WHILE_ENROLMENT_DUE = OPEN_WHILE_PASSWORD_DUE | {"two_factor.enrol"}
# Requests a page makes by itself, not the person: they do not keep a session alive (a board left open on a desk
# still times out when idle).
NOT_ACTIVITY = {"live.stream"}


def init_sessions(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"
    login_manager.session_protection = None  # the server-side session record is the protection

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        """One lookup; about once a minute per session also a write, in a short transaction of its own that
        takes the write lock first (a read request's own transaction never writes, see tracker/database.py)."""
        now = utcnow()
        user, due = security.session_user(session.get("sid"), now=now, policy=policy())
        if due and request.endpoint not in NOT_ACTIVITY:
            user = write_apart(lambda: security.update_session(session.get("sid"), now=now, policy=policy()))
        if user is None or str(user.id) != user_id:
            session.clear()
            session[ENDED] = True
            return None
        return user

    @login_manager.unauthorized_handler
    def to_login() -> Response:
        """To the login page with the page to come back to. An htmx request (or the board's own fetch) hears
        401 with HX-Redirect, so the browser goes there as a whole page, back to the page it was on. A live
        stream hears a bare 401 (its EventSource stops for good): followed to the login page, it would spend the
        session's "ended" state before the person's next click reaches the server."""
        if request.endpoint in NOT_ACTIVITY:
            return make_response("", 401)
        if not session.get(ENDED):
            flash(login_manager.login_message)
        target = url_for("auth.login", next=_page_to_return_to())
        if request.headers.get("HX-Request") == "true":
            response = make_response("", 401)
            response.headers["HX-Redirect"] = target
            return response
        return redirect(target)

    @app.before_request
    def password_change_first() -> Response | None:
        if request.path.startswith("/api/"):  # the API has blueprints of its own per resource, none named "api"
            return None
        if request.endpoint in OPEN_WHILE_PASSWORD_DUE or not current_user.is_authenticated:
            return None
        # a person the directory vouched for does not use the local password: no change of it is owed
        if not session.get(SIGNED_ON) and security.must_change_password(current_user, now=utcnow(), policy=policy()):
            return redirect(url_for("auth.change_password"))
        if request.endpoint not in OPEN_WHILE_ENROLMENT_DUE and two_factor.must_enrol(current_user, policy()):
            return redirect(url_for("two_factor.enrol"))
        return None


def _page_to_return_to() -> str | None:
    """The page the person was on, as a path of this site: the page asked for by a load, the page showing when
    htmx or a form post asked (the request's own path is then an action, not a page); None if not on this site."""
    if request.method == "GET" and not wants_fragment():
        return local_url(request.full_path.removesuffix("?"), "") or None
    shown = request.headers.get("HX-Current-URL") or request.referrer or ""
    parts = urlsplit(shown)
    if parts.netloc and parts.netloc != request.host:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return local_url(path, "") or None
