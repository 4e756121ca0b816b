"""Small pieces every API module shares: the blueprint factory, error documentation, paging links."""
from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Response, current_app, request
from flask_smorest import Blueprint

from ..clock import utcnow
from ..models import WorkItem
from ..services import items
from ..services.boards import Deadlines
from ..services.deadlines import local_today
from .auth import actor, authenticate
from .parsing import TrackerBlueprint

F = TypeVar("F", bound=Callable[..., Any])

# Every route can answer these: no token, bad input, a method the path does not take.
COMMON_ERRORS = (400, 401, 405, 422)


def api_blueprint(name: str, description: str) -> Blueprint:
    """A resource blueprint whose every view needs a valid bearer token."""
    blp = TrackerBlueprint(name, __name__, description=description)
    blp.before_request(authenticate)
    return blp


def errors(blp: Blueprint, *codes: int) -> Callable[[F], F]:
    """Document the error responses a view can give, all in the one error shape (ErrorOut)."""
    def decorator(func: F) -> F:
        for code in sorted(set(COMMON_ERRORS) | set(codes)):
            func = blp.alt_response(code, response=HTTPStatus(code).name)(func)
        return func
    return decorator


def next_link(cursor: str | None) -> dict[str, str]:
    """A `Link: <...>; rel="next"` header carrying the same query with the next cursor, if there is more."""
    if cursor is None:
        return {}
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"] + [("cursor", cursor)]
    return {"Link": f'<{request.base_url}?{urlencode(query)}>; rel="next"'}




def json_response(data: Any, status: int = 200) -> Response:
    """JSON without key sorting or ASCII escapes: a whole board is megabytes, and both cost time and bytes."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, mimetype="application/json")


def visible_item(item_id: int) -> WorkItem:
    """The item if the caller may see it; otherwise 404 (services.items.get_visible)."""
    return items.get_visible(item_id, actor=actor())


def deadlines() -> Deadlines:
    """What the traffic lights need: today in the configured time zone and the warning window."""
    return Deadlines(today=local_today(utcnow(), current_app.config["TRACKER_TIMEZONE"]),
                     warning_days=current_app.config["TRACKER_WARNING_DAYS"])
