"""The audit trail: an item's history, and the feed of all changes for the office and leaders."""
from __future__ import annotations

from typing import Any

from flask import Response

from ..models import Event
from ..services.work import feed
from .auth import actor
from .common import api_blueprint, errors, json_response, next_link, visible_item
from ..schemas.events import EventOut, EventQueryArgs

blp = api_blueprint("events", "Audit events")
EVENTS_OUT = EventOut(many=True)


@blp.route("/items/<id:item_id>/events")
@blp.response(200, EventOut(many=True))
@errors(blp, 404)
def item_events(item_id: int) -> list[Event]:
    return feed.item_events(visible_item(item_id))


@blp.route("/events")
@blp.arguments(EventQueryArgs, location="query")
@blp.response(200, EventOut(many=True), headers={"Link": {"description": 'next page: <url>; rel="next"',
                                                          "schema": {"type": "string"}}})
@errors(blp, 403)
def all_events(args: dict[str, Any]) -> Response:
    """Oldest first from `since`; poll with the cursor of the `Link` header to read only what is new."""
    events, cursor = feed.all_events(actor=actor(), since=args.get("since"), after_id=args.get("cursor"),
                                     limit=args["limit"])
    response = json_response(EVENTS_OUT.dump(events))
    response.headers.update(next_link(str(cursor) if cursor is not None else None))
    return response
