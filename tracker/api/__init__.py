"""The JSON API under /api/v1: flask-smorest, one module per resource, Bearer tokens only.

Handlers resolve ids within the caller's scope, call one service, shape the answer and commit once; the rules
live in tracker/services.
"""
from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from ..extensions import csrf
from .errors import register_error_handlers
from .schemas.common import ErrorOut

PREFIX = "/api/v1"


class TrackerApi(Api):
    """flask-smorest with our error shape: its own handler would answer every path of the app with JSON."""

    ERROR_SCHEMA = ErrorOut
    DEFAULT_ERROR_RESPONSE_NAME = None  # each operation lists its own error codes, so a check can hold us to them

    def _register_error_handlers(self) -> None:
        register_error_handlers(self._app)


def register_api(app: Flask) -> TrackerApi:
    """Register after the web, so that non-API errors still reach the web's HTML handlers."""
    from . import (
        assignments,
        attachments,
        board,
        digests,
        events,
        extensions,
        instructions,
        items,
        me,
        moves,
        plans,
        records,
        units,
        updates,
    )

    app.config.setdefault("API_SPEC_OPTIONS", {
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
        "servers": [{"url": "/"}],
    })
    api = TrackerApi(app)
    for module in (me, plans, units, items, moves, updates, attachments, extensions, events, board, records,
                   digests, assignments, instructions):
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp, url_prefix=PREFIX)
    return api
