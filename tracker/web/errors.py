"""Errors as people see them: a message in the page's language, as a fragment for htmx or a whole page."""
from __future__ import annotations

from flask import Response, session
from flask_login import current_user
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..errors import TrackerError
from ..extensions import login_manager
from . import i18n
from .auth import ENDED
from .htmx import render, wants_fragment


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


def tracker_error_page(error: TrackerError) -> Response:
    return error_response(error.status, error.message(i18n.current_lang()))


def http_error_page(error: HTTPException) -> Response:
    if isinstance(error, CSRFError):
        if session.get(ENDED) and not current_user.is_authenticated:  # the session ended on the server and was
            return login_manager.unauthorized()  # cleared by another request first: to the login page and back
        return error_response(400, _("The form has expired. Reload the page and try again."))
    response = error_response(error.code or 500, http_message(error.code or 500))
    for name, value in error.get_headers():
        if name.lower() == "allow":
            response.headers[name] = value
    return response
