"""How requests are parsed: unknown fields are refused everywhere, and multipart bodies are one location.

webargs ignores unknown query parameters by default; we refuse them like unknown JSON fields, so a misspelt
filter (`?staus=done`) is a 422 rather than a silently unfiltered list. It also reads `form` and `files`
separately while flask-smorest documents one request body per operation, so the `multipart` location gives both
to one schema.

A JSON body is refused as malformed (400) when it nests deeper than MAX_JSON_DEPTH (Python's parser would hit its
recursion limit at about 1,000 and answer 500) or holds a lone surrogate such as "\ud800" (not text: it can be
neither hashed into the audit chain nor stored). Every route reading JSON through the parser gets both.
"""
from __future__ import annotations

import json
from typing import Any

from flask import Request
from flask_smorest import Blueprint
from marshmallow import Schema
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

MULTIPART = "multipart"
MAX_JSON_DEPTH = 32


def _malformed(why: str) -> json.JSONDecodeError:
    """webargs answers a JSONDecodeError with its 400 (an empty `doc` would mean "no body" to it)."""
    return json.JSONDecodeError(why, "<body>", 0)


def check_json(value: Any) -> None:
    """Raise JSONDecodeError for nesting deeper than MAX_JSON_DEPTH or a lone surrogate in any key or string."""
    pending = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict | list) and depth > MAX_JSON_DEPTH:
            raise _malformed(f"nested deeper than {MAX_JSON_DEPTH}")
        if isinstance(node, dict):
            pending.extend((key, depth) for key in node)
            pending.extend((child, depth + 1) for child in node.values())
        elif isinstance(node, list):
            pending.extend((child, depth + 1) for child in node)
        elif isinstance(node, str) and not node.isascii():
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                raise _malformed("lone surrogate in a string") from None


class TrackerParser(FlaskParser):
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None, "querystring": None,
                                   MULTIPART: None}
    __location_map__ = {**FlaskParser.__location_map__, MULTIPART: "load_multipart"}

    def _raw_load_json(self, req: Request) -> Any:
        if not is_json_request(req):
            return core.missing
        try:
            value = core.parse_json(req.get_data(cache=True))
        except RecursionError:
            raise _malformed("nested too deeply") from None
        check_json(value)
        return value

    def load_multipart(self, req: Request, schema: Schema) -> Any:
        return MultiDictProxy(CombinedMultiDict([req.form, req.files]), schema)


class TrackerBlueprint(Blueprint):
    ARGUMENTS_PARSER = TrackerParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {**Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                             MULTIPART: "multipart/form-data"}
