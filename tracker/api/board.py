"""The board: columns in workflow order with counts and cards, optionally in swimlanes."""
from __future__ import annotations

from typing import Any

from flask import Response

from ..services.work import boards
from .auth import actor
from .common import api_blueprint, cached_read, deadlines, errors
from .items import card_fields, filters_from
from ..schemas.items import BoardOut, BoardQueryArgs

blp = api_blueprint("board", "Kanban boards")


@blp.route("/board")
@blp.arguments(BoardQueryArgs, location="query")
@blp.response(200, BoardOut, headers={"ETag": {"description": "changes with every change",
                                               "schema": {"type": "string"}}})
@blp.alt_response(304, response="NOT_MODIFIED")
@errors(blp)
def get_board(args: dict[str, Any]) -> Response:
    """A unit sees its own unit's cards; the office and leaders the whole plan (the latest, unless `plan`).
    `fields` for lean cards; `If-None-Match` with the last ETag answers 304 while nothing changed."""
    return cached_read(lambda: boards.board(filters_from(args), actor=actor(), deadlines=deadlines(),
                                            swimlanes=args.get("swimlanes"), limit=args.get("limit"),
                                            sort=args["sort"], fields=card_fields(args)))
