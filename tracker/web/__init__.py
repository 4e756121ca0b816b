"""The web interface: server-rendered pages. Sessions live here; the API never reads them."""
from __future__ import annotations

from flask import Flask, Response
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..errors import TrackerError
from ..models import Role
from ..services.permissions import ROLE_LABELS
from . import helpers, i18n
from .htmx import add_vary, render, wants_fragment


def http_message(code: int) -> str:
    """Words for an HTTP error, in the page's language; Werkzeug's English descriptions never reach people."""
    messages = {
        400: _("The request could not be understood."),
        403: _("You are not allowed to do this."),
        404: _("This page does not exist or you may not see it."),
        405: _("This action is not available here."),
        413: _("The file is too large."),
    }
    return messages.get(code, _("Something went wrong on the server. Please try again later."))


def error_response(status: int, message: str) -> Response:
    """An error as a message: a fragment for htmx (app.js shows it in the flash area), else a whole page."""
    response = render("error.html", "_flash.html", status=status, message=message, level="error")
    if wants_fragment():
        response.headers["HX-Reswap"] = "innerHTML"
        response.headers["HX-Retarget"] = "#flash"
    return response


def register_web(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .assignments import bp as work_bp
    from .auth import bp as auth_bp
    from .board import bp as board_bp
    from .dashboard import bp as dashboard_bp
    from .digests import bp as digests_bp
    from .home import bp as home_bp
    from .items import bp as items_bp
    from .language import bp as language_bp
    from .ledger import bp as ledger_bp
    from .office import bp as office_bp
    from .sessions import init_sessions
    from .vendor import bp as vendor_bp

    i18n.init_app(app)
    helpers.init_app(app)
    for blueprint in (admin_bp, auth_bp, home_bp, vendor_bp, language_bp, board_bp, items_bp, office_bp, dashboard_bp,
                      ledger_bp, digests_bp, work_bp):
        app.register_blueprint(blueprint)
    app.jinja_env.globals["role_label"] = lambda role: i18n.pick(ROLE_LABELS[Role(role)])
    app.after_request(add_vary)
    init_sessions(app)

    @app.errorhandler(TrackerError)
    def tracker_error(error: TrackerError) -> Response:
        return error_response(error.status, error.message(i18n.current_lang()))

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Response:
        return error_response(400, _("The form has expired. Reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        return error_response(error.code or 500, http_message(error.code or 500))
