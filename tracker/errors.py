"""One tree of errors. Services raise these; only this module decides what HTTP makes of them.

Each error carries a stable `code` a program can branch on and a message in Chinese and English, so every
refusal can be explained to the person or program that caused it.
"""
from __future__ import annotations

from typing import Any

from flask import Flask
from flask.typing import ResponseReturnValue
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException


class TrackerError(Exception):
    status = 400
    code = "error"

    def __init__(self, message_zh: str, message_en: str | None = None, *, code: str | None = None,
                 fields: dict[str, Any] | None = None) -> None:
        super().__init__(message_zh)
        self.message_zh = message_zh
        self.message_en = message_en or message_zh
        if code:
            self.code = code
        self.fields = fields or {}

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status, "code": self.code, "message": self.message(lang)}
        if self.fields:
            body["errors"] = self.fields
        return body


class NotFound(TrackerError):
    status = 404
    code = "not_found"


class NotAllowed(TrackerError):
    status = 403
    code = "forbidden"


class InvalidTransition(TrackerError):
    status = 422
    code = "invalid_transition"


class StaleVersion(TrackerError):
    status = 409
    code = "stale_version"


class Invalid(TrackerError):
    status = 422
    code = "invalid"


class SettingError(TrackerError):
    """A setting the tracker cannot run with (tracker/settings.py, tracker/config.py): raised while the app is
    built, with words naming the setting, so the app never starts half-configured."""

    code = "setting_invalid"


def init_app(app: Flask) -> None:
    """Every error is mapped here, once: JSON in the API's shape under /api/, a page (or an htmx fragment)
    elsewhere. A version conflict the mapper finds at flush or commit is the same 409 as one a service finds.
    Whatever the request wrote is rolled back first, so a refusal changes nothing (and the page that explains
    it cannot write either)."""
    from .api.errors import http_error_json, is_api_request, tracker_error_json
    from .extensions import db
    from .web.errors import http_error_page, tracker_error_page

    def refusal(error: TrackerError) -> ResponseReturnValue:
        db.session.rollback()
        return tracker_error_json(error) if is_api_request() else tracker_error_page(error)

    @app.errorhandler(TrackerError)
    def tracker_error(error: TrackerError) -> ResponseReturnValue:
        return refusal(error)

    @app.errorhandler(StaleDataError)
    def stale(_error: StaleDataError) -> ResponseReturnValue:
        return refusal(StaleVersion("该事项已被他人修改,请刷新后重试", "Someone changed this item; reload and try again"))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        db.session.rollback()
        return http_error_json(error) if is_api_request() else http_error_page(error)
