"""The JSON API under /api/v1: flask-smorest, one module per resource, Bearer tokens only.

Handlers resolve ids within the caller's scope, call one service and shape the answer; the request commits once
(tracker/transaction.py) and the rules live in tracker/services.
"""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from ..extensions import csrf
from ..converters import IdConverter
from ..schemas.common import ErrorOut

PREFIX = "/api/v1"


class TrackerApi(Api):
    """flask-smorest with our error shape. Its own handler would answer every path of the app with JSON;
    tracker.error_handlers.init_app maps every error instead, so it registers none."""

    ERROR_SCHEMA = ErrorOut
    DEFAULT_ERROR_RESPONSE_NAME = None  # each operation lists its own error codes, so a check can hold us to them

    def _register_error_handlers(self) -> None:
        return None


def register_api(app: Flask) -> TrackerApi:
    """Register after the web, so that non-API errors still reach the web's HTML handlers."""
    from . import (
        assessment,
        assignments,
        attachments,
        board,
        bulk,
        bulletins,
        comments,
        contests,
        digests,
        events,
        deadline_extensions,
        indicators,
        instructions,
        intake,
        items,
        me,
        moves,
        notices,
        notifications,
        overdue,
        plans,
        records,
        reporting,
        units,
        updates,
        webhooks,
    )

    app.config.setdefault("API_SPEC_OPTIONS", {
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
        "servers": [{"url": "/"}],
    })
    api = TrackerApi(app)
    api.register_converter(IdConverter, lambda _converter: {"type": "integer", "minimum": 1,
                                                            "maximum": IdConverter.max_id})
    for module in (me, plans, units, items, overdue, moves, updates, comments, attachments, deadline_extensions,
                   contests, events, board, records, digests, notifications, webhooks, notices, assignments,
                   instructions, intake, indicators, bulletins, assessment, reporting, bulk):
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp, url_prefix=PREFIX)
    return api
