"""Errors mapped to answers, once for the whole app: above both doors, so tracker.errors (which the services
raise from) imports neither door, and each door's shape of an answer stays in the door."""
from __future__ import annotations

from flask import Flask
from flask.typing import ResponseReturnValue
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from .api.errors import http_error_json, is_api_request, tracker_error_json
from .errors import StaleVersion, TrackerError
from .extensions import db
from .web.errors import http_error_page, tracker_error_page


def init_app(app: Flask) -> None:
    """Every error is mapped here, once: JSON in the API's shape under /api/, a page (or an htmx fragment)
    elsewhere. A version conflict the mapper finds at flush or commit is the same 409 as one a service finds.
    Whatever the request wrote is rolled back first, so a refusal changes nothing (and the page that explains
    it cannot write either)."""
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
