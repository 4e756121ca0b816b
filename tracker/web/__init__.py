"""The web interface: server-rendered pages. Sessions live here; the API never reads them."""
from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from ..errors import TrackerError
from ..models import Role
from ..services.permissions import ROLE_LABELS


def register_web(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .auth import bp as auth_bp
    from .home import bp as home_bp
    from .sessions import init_sessions

    app.register_blueprint(admin_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(home_bp)
    app.jinja_env.globals["role_label"] = lambda role: ROLE_LABELS[Role(role)][0]
    init_sessions(app)

    @app.errorhandler(TrackerError)
    def tracker_error(error: TrackerError) -> tuple[str, int]:
        return render_template("error.html", status=error.status, message=error.message_zh), error.status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        return render_template("error.html", status=error.code, message=error.description), error.code or 500
