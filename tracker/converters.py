"""The one URL converter for ids. Any run of digits matches, so a path never falls through to another rule
(an id above the database's range once answered 405 with a false Allow header); an id out of range is a 404,
since no such record can exist, and never reaches the database (2**63 overflows SQLite's driver)."""
from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter

MAX_ID = 2**31 - 1


class IdConverter(BaseConverter):
    regex = r"\d{1,30}"
    part_isolating = True
    max_id = MAX_ID

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise NotFound()
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))


def init_app(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
