"""One URL, two shapes: the full page for a load or reload, the fragment for an htmx swap.

A history-restore request (the browser's back button after htmx's cache missed) must get the full page, and
every response says `Vary: HX-Request` so no cache hands a fragment to a full load or the other way round.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Response, make_response, render_template, request


def wants_fragment() -> bool:
    return request.headers.get("HX-Request") == "true" and \
        request.headers.get("HX-History-Restore-Request") != "true"


def render(page: str, fragment: str | None = None, *, status: int = 200, **context: Any) -> Response:
    """For an htmx request the fragment template, or the page's main block alone when it names none;
    otherwise the whole page. Pages extend `layout`, which is base.html unless a fragment is wanted."""
    if not wants_fragment():
        return make_response(render_template(page, **context), status)
    if fragment:
        return make_response(render_template(fragment, **context), status)
    return make_response(render_template(page, layout="partial.html", **context), status)


def trigger(response: Response, events: dict[str, Any]) -> Response:
    """HX-Trigger as JSON: headers are latin-1, and JSON escapes the Chinese that a plain string would break."""
    response.headers["HX-Trigger"] = json.dumps(events)
    return response


def add_vary(response: Response) -> Response:
    response.vary.add("HX-Request")
    return response
