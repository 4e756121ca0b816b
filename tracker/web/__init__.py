"""The web interface: server-rendered pages. Sessions live here; the API never reads them."""
from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from ..errors import TrackerError
from ..extensions import db, login_manager
from ..models import Role, User
from ..services.permissions import ROLE_LABELS


def register_web(app: Flask) -> None:
    from .auth import bp as auth_bp
    from .home import bp as home_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(home_bp)
    app.jinja_env.globals["role_label"] = lambda role: ROLE_LABELS[Role(role)][0]
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        return db.session.get(User, int(user_id)) if user_id.isdigit() else None

    @app.errorhandler(TrackerError)
    def tracker_error(error: TrackerError) -> tuple[str, int]:
        return render_template("error.html", status=error.status, message=error.message_zh), error.status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return render_template("error.html", status=error.code, message=error.description), error.code or 500
