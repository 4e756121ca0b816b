"""The board: columns in workflow order with counts and cards, optionally in swimlanes."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Response

from ..extensions import db
from ..models import User
from ..services.work import board_stream, boards
from ..services.work.deadlines import Deadlines
from .auth import actor
from .common import api_blueprint, cached_read, deadlines, errors, streamed_read
from .items import card_fields
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
    `fields` for lean cards; `If-None-Match` with the last ETag answers 304 while nothing changed. A whole
    board (no `limit`) is sent in chunks as it is read, so its size costs the server no memory."""
    if args.get("limit") is None:  # a whole board, of any size: written out as it is read
        user_id, today = actor().id, deadlines()
        return streamed_read(lambda: _whole_board(args, user_id, today))
    return cached_read(lambda: boards.board(args["filters"], actor=actor(), deadlines=deadlines(),
                                            swimlanes=args.get("swimlanes"), limit=args.get("limit"),
                                            sort=args["sort"], fields=card_fields(args), as_json=True))


def _whole_board(args: dict[str, Any], user_id: int, today: Deadlines) -> Iterator[bytes]:
    """The chunks of a whole board. They are read once the request's own session has ended (its commit point
    passed, its objects expired), so the caller is read again in the session the chunks are read in."""
    person = db.session.get(User, user_id)
    assert person is not None
    yield from board_stream.board_chunks(args["filters"], actor=person, deadlines=today,
                                         swimlanes=args.get("swimlanes"), sort=args["sort"],
                                         fields=card_fields(args))
