"""Every overdue item the caller may see, of a plan or one unit, in one answer (as Kanboard's getOverdueTasks).

The list of pages (`GET /items?light=red`) holds at most 1,000 whole cards a page; a supervisor polling what is
late wants all of it at once and only what the list shows, so this answers lean rows, every one, in one call,
as the database wrote them (an orjson Fragment is sent as it is).
"""
from __future__ import annotations

from typing import Any

import orjson
from flask import Response

from ..schemas.overdue import OverdueQueryArgs, OverdueRowOut
from ..services.work import boards
from ..services.work.overdue import overdue_json
from .auth import actor
from .common import api_blueprint, cached_read, deadlines, errors

blp = api_blueprint("overdue", "The overdue list")


@blp.route("/overdue")
@blp.arguments(OverdueQueryArgs, location="query")
@blp.response(200, OverdueRowOut(many=True), headers={"ETag": {"description": "changes with every change",
                                                               "schema": {"type": "string"}}})
@blp.alt_response(304, response="NOT_MODIFIED")
@errors(blp)
def get_overdue(args: dict[str, Any]) -> Response:
    """Every item of the plan (the latest, unless `plan`), or of the items `unit` leads, that is open and past
    its due date, as the caller may see them (a unit: its own and its subtree's), longest overdue first. No
    pages: the whole list. `If-None-Match` with the last ETag answers 304 while nothing changed."""
    plan_id = args.get("plan") or boards.default_plan_id()
    return cached_read(lambda: [] if plan_id is None else orjson.Fragment(overdue_json(
        actor=actor(), plan_id=plan_id, unit_id=args.get("unit"), today=deadlines().today)))
