"""The board: columns in workflow order with counts and cards, optionally in swimlanes."""
from __future__ import annotations

from typing import Any

from flask import Response

from ..services import boards
from .auth import actor
from .common import api_blueprint, deadlines, errors, json_response
from .items import filters_from
from .schemas.items import BoardOut, BoardQueryArgs

blp = api_blueprint("board", "Kanban boards")


@blp.route("/board")
@blp.arguments(BoardQueryArgs, location="query")
@blp.response(200, BoardOut)
@errors(blp)
def get_board(args: dict[str, Any]) -> Response:
    """A unit sees its own unit's cards; the office and leaders the whole plan (the latest, unless `plan`)."""
    return json_response(boards.board(filters_from(args), actor=actor(), deadlines=deadlines(),
                                      swimlanes=args.get("swimlanes"), limit=args.get("limit"), sort=args["sort"]))
