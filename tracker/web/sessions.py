"""Loading the logged-in user from the server-side session, and the first-login password change."""
from __future__ import annotations

from flask import Flask, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from ..clock import utcnow
from ..database import write_apart
from ..extensions import login_manager
from ..models import User
from ..services import security
from .auth import policy

OPEN_WHILE_PASSWORD_DUE = {"auth.change_password", "auth.logout", "auth.login", "static",
                           "language.switch"}


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
        if due:
            user = write_apart(lambda: security.update_session(session.get("sid"), now=now, policy=policy()))
        if user is None or str(user.id) != user_id:
            session.clear()
            return None
        return user

    @app.before_request
    def password_change_first() -> Response | None:
        if request.blueprint == "api" or request.path.startswith("/api/"):
            return None
        if request.endpoint in OPEN_WHILE_PASSWORD_DUE or not current_user.is_authenticated:
            return None
        if security.must_change_password(current_user, now=utcnow(), policy=policy()):
            return redirect(url_for("auth.change_password"))
        return None
