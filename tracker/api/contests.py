"""退办 / 异议: a unit contests an item on the item, the office decides on the contest; both list them."""
from __future__ import annotations

from typing import Any

from flask import Response

from ..clock import utcnow
from ..models import ItemContest
from ..schemas.contests import ContestDecisionIn, ContestIn, ContestOut, ContestQueryArgs
from ..services.work import contests
from ..settings import settings
from .auth import actor
from .common import api_blueprint, errors, json_response, next_link, visible_item

blp = api_blueprint("contests", "Contests of an assignment (退办 / 异议)")
CONTESTS_OUT = ContestOut(many=True)


@blp.route("/items/<id:item_id>/contests", methods=["POST"])
@blp.arguments(ContestIn)
@blp.response(201, ContestOut)
@errors(blp, 403, 404)
def raise_contest(data: dict[str, Any], item_id: int) -> ItemContest:
    """An admin of the lead unit, or of a cooperating unit for its part, within the plan's window of working days
    from the assignment (refused after it, naming the day it closed)."""
    return contests.raise_contest(visible_item(item_id), actor=actor(), reason=data["reason"],
                                  proposed_unit_id=data["proposed_unit_id"], calendar=settings().calendar,
                                  now=utcnow())


@blp.route("/items/<id:item_id>/contests")
@blp.response(200, ContestOut(many=True))
@errors(blp, 404)
def of_item(item_id: int) -> list[ItemContest]:
    return contests.contests_of(visible_item(item_id))


@blp.route("/contests")
@blp.arguments(ContestQueryArgs, location="query")
@blp.response(200, ContestOut(many=True), headers={"Link": {"description": 'next page: <url>; rel="next"',
                                                            "schema": {"type": "string"}}})
@errors(blp)
def listed(args: dict[str, Any]) -> Response:
    """The office: every contest; a unit: those it raised. Newest first, `limit` a page (100 unless asked, at
    most 500); the `Link` header names the next page while there is one."""
    found, cursor = contests.listed(actor=actor(), status=args.get("status"), before_id=args.get("cursor"),
                                    limit=args["limit"])
    response = json_response(CONTESTS_OUT.dump(found))
    response.headers.update(next_link(str(cursor) if cursor is not None else None))
    return response


@blp.route("/contests/<id:contest_id>/decision", methods=["POST"])
@blp.arguments(ContestDecisionIn)
@blp.response(200, ContestOut)
@errors(blp, 403, 404, 409)
def decide(data: dict[str, Any], contest_id: int) -> ItemContest:
    """Office only: uphold (the item goes to `new_unit_id` or the unit named, due date kept unless
    `new_due_date`) or reject, with a note either way."""
    contest = contests.get_contest(contest_id, actor=actor())
    return contests.decide(contest, actor=actor(), uphold=contests.DECISIONS[data["decision"]], note=data["note"],
                           expected_version=data["version"], now=utcnow(), new_unit_id=data["new_unit_id"],
                           new_due_date=data["new_due_date"])
