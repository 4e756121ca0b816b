"""Small pieces every API module shares: the blueprint factory, error documentation, paging links."""
from __future__ import annotations

import contextvars
import hashlib
from collections.abc import Callable, Generator, Iterator
from http import HTTPStatus
from typing import Any, TypeVar
from urllib.parse import urlencode

import orjson
from flask import Response, current_app, request
from flask_smorest import Blueprint

from ..database import reading
from ..models import WorkItem
from ..services.work import boards, items
from ..settings import deadlines  # the one deadlines() (tracker/settings.py); the API's modules take it from here
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
    """JSON encoded once by orjson: UTF-8 without ASCII escapes or key sorting; a whole board is megabytes, and
    orjson encodes it several times faster than the standard library."""
    return Response(orjson.dumps(data), status=status, mimetype="application/json")


def cached_read(build: Callable[[], Any]) -> Response:
    """A list or board with an ETag, answered 304 without being built when `If-None-Match` carries it.

    The tag covers what the answer depends on: every committed change (boards.change_mark), the caller, the day
    (traffic lights turn at midnight) and the whole query. It is read before the data, so a change committed in
    between makes the tag older than the body, never newer: the worst case is one more 200.
    """
    tag = _read_tag()
    if request.if_none_match.contains_weak(tag):
        response = Response(status=304)
    else:
        response = json_response(build())
    response.set_etag(tag)
    return response


def streamed_read(chunks: Callable[[], Iterator[bytes]]) -> Response:
    """As cached_read, for an answer written out in chunks as it is read (a whole board: services/work/
    board_stream.py), so the worker never holds all of it. The chunks are read after the view returned (the
    request's commit point and its session are gone), in an app context and a reading transaction of their
    own: `chunks` reads what it needs of the database again there."""
    tag = _read_tag()
    if request.if_none_match.contains_weak(tag):
        response = Response(status=304)
    else:
        response = Response(_in_own_context(current_app._get_current_object(), chunks),  # type: ignore[attr-defined]
                            mimetype="application/json")
    response.set_etag(tag)
    return response


def _in_own_context(app: Any, chunks: Callable[[], Iterator[bytes]]) -> Iterator[bytes]:
    """The chunks, each produced inside one contextvars Context of their own, whoever asks for the next: the app
    context they push then stays theirs from the first chunk to the last (a server, or a test client, may read
    a body's chunks from different contexts)."""
    def inner() -> Generator[bytes, None, None]:
        with app.app_context(), reading():
            yield from chunks()

    context, produce = contextvars.copy_context(), inner()
    try:
        while True:
            try:
                chunk = context.run(next, produce)
            except StopIteration:
                return
            yield chunk
    finally:
        context.run(produce.close)


def _read_tag() -> str:
    key = f"{boards.change_mark()}|{actor().id}|{deadlines().today}|{request.full_path}"
    return hashlib.blake2b(key.encode(), digest_size=12).hexdigest()


def visible_item(item_id: int) -> WorkItem:
    """The item if the caller may see it; otherwise 404 (services.work.items.get_visible)."""
    return items.get_visible(item_id, actor=actor())
