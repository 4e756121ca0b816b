"""How requests are parsed: unknown fields are refused everywhere, and multipart bodies are one location.

webargs ignores unknown query parameters by default; we refuse them like unknown JSON fields, so a misspelt
filter (`?staus=done`) is a 422 rather than a silently unfiltered list. It also reads `form` and `files`
separately while flask-smorest documents one request body per operation, so the `multipart` location gives both
to one schema.
"""
from __future__ import annotations

from typing import Any

from flask import Request
from flask_smorest import Blueprint
from marshmallow import Schema
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

MULTIPART = "multipart"


class TrackerParser(FlaskParser):
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None, "querystring": None,
                                   MULTIPART: None}
    __location_map__ = {**FlaskParser.__location_map__, MULTIPART: "load_multipart"}

    def load_multipart(self, req: Request, schema: Schema) -> Any:
        return MultiDictProxy(CombinedMultiDict([req.form, req.files]), schema)


class TrackerBlueprint(Blueprint):
    ARGUMENTS_PARSER = TrackerParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {**Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                             MULTIPART: "multipart/form-data"}
