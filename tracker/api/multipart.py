"""A webargs location for multipart bodies: form fields and files in one schema, documented as one body.

webargs reads `form` and `files` separately, and flask-smorest documents only one request body per operation;
this location gives both to one schema so unknown parts are refused as anywhere else.
"""
from __future__ import annotations

from typing import Any

from flask import Request
from flask_smorest import Blueprint
from marshmallow import Schema
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

LOCATION = "multipart"


class MultipartParser(FlaskParser):
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, LOCATION: None}
    __location_map__ = {**FlaskParser.__location_map__, LOCATION: "load_multipart"}

    def load_multipart(self, req: Request, schema: Schema) -> Any:
        return MultiDictProxy(CombinedMultiDict([req.form, req.files]), schema)


class MultipartBlueprint(Blueprint):
    ARGUMENTS_PARSER = MultipartParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {**Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                             LOCATION: "multipart/form-data"}
