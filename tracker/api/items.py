"""Work items: the filtered list with cursor pages, creation by the office, one card with its ETag, edits."""
from __future__ import annotations

from typing import Any

from flask import Response, request

from ..clock import utcnow
from ..models import WorkItem
from ..services.plan import lookup
from ..services.work import boards, detail, item_rules, items
from .auth import actor
from .common import api_blueprint, cached_read, deadlines, errors, json_response, next_link, visible_item
from .errors import PreconditionRequired
from ..schemas.common import ASCII_DIGITS
from ..schemas.items import ListedCardOut, WorkItemIn, WorkItemOut, WorkItemPatch, WorkItemQueryArgs

blp = api_blueprint("items", "Work items (cards)")
ITEM_OUT = WorkItemOut()  # what the answer is documented by (and tested against); built once
ITEM_FIELDS = tuple(ITEM_OUT.fields)  # the detail's keys the API answers (the pages read two more)


def item_json(item: WorkItem, known: detail.Known | None = None) -> dict[str, Any]:
    """The item as the API answers it: detail.item_detail's keys that WorkItemOut declares."""
    shown = detail.item_detail(item, deadlines(), actor=actor(), known=known)
    return {name: shown[name] for name in ITEM_FIELDS if name in shown}


def card_fields(args: dict[str, Any]) -> tuple[str, ...]:
    """The fields a caller asked for, id first and always; () for whole cards."""
    asked = args.get("card_fields")
    return ("id", *dict.fromkeys(name for name in asked if name != "id")) if asked else ()


def item_response(item: WorkItem, status: int = 200, known: detail.Known | None = None) -> Response:
    """The card as JSON with its version as the ETag, for a later If-Match.

    Handlers that change the item build this after the service flushed and before they commit, so the answer
    needs no second read of what was just written. orjson encodes the detail as it is (dates, moments and enums
    as WorkItemOut would dump them; tests/api/test_items.py holds the two equal): a marshmallow dump per request
    was a tenth of one item's time.
    """
    response = json_response(item_json(item, known), status)
    response.set_etag(str(item.version))
    return response


@blp.route("/items")
@blp.arguments(WorkItemQueryArgs, location="query")
@blp.response(200, ListedCardOut(many=True), headers={
    "Link": {"description": 'next page: <url>; rel="next"', "schema": {"type": "string"}},
    "ETag": {"description": "changes with every change", "schema": {"type": "string"}}})
@blp.alt_response(304, response="NOT_MODIFIED")
@errors(blp)
def list_items(args: dict[str, Any]) -> Response:
    """The caller's visible cards, in id order; follow the `Link` header for the next page. Up to 1,000 a page;
    `fields` for lean cards; `If-None-Match` with the last ETag answers 304 while nothing changed."""
    cursor: int | None = None

    def page() -> list[Any]:
        nonlocal cursor
        found, cursor = boards.list_items(args["filters"], actor=actor(), deadlines=deadlines(),
                                          after_id=args.get("cursor"), limit=args["limit"],
                                          fields=card_fields(args), as_json=True)
        return found

    response = cached_read(page)
    response.headers.update(next_link(str(cursor) if cursor is not None else None))
    return response


@blp.route("/items", methods=["POST"])
@blp.arguments(WorkItemIn)
@blp.response(201, WorkItemOut(many=True))
@errors(blp, 403)
def create_items(data: dict[str, Any]) -> Response:
    """Office only: one card per unit named, at the bottom of 待签收."""
    created = items.create_items(
        actor=actor(), task=lookup.task(data["task_id"]), phase=lookup.phase(data["phase_id"]),
        units=lookup.units(data["unit_ids"]), title=data["title"], description=data["description"],
        priority=data["priority"], due_date=data["due_date"], now=utcnow())
    return json_response([item_json(item) for item in created], 201)


@blp.route("/items/<id:item_id>")
@blp.response(200, WorkItemOut, headers={"ETag": {"description": "the item's version",
                                                  "schema": {"type": "string"}}})
@blp.alt_response(304, response="NOT_MODIFIED")
@errors(blp, 404)
def get_item(item_id: int) -> Response:
    """With `If-None-Match: <ETag>`, an unchanged item is a bodiless 304: cheap polling."""
    item, known = detail.read_visible(item_id, actor=actor())
    response = item_response(item, known=known)
    response.make_conditional(request)  # in place: 304 and no body when the ETag matches
    return response


@blp.route("/items/<id:item_id>", methods=["PATCH"])
@blp.arguments(WorkItemPatch)
@blp.response(200, WorkItemOut)
@errors(blp, 403, 404, 409, 428)
def edit_item(data: dict[str, Any], item_id: int) -> Response:
    """Office only. The current version goes in `If-Match` (the ETag) or as `version`: 428 without either.

    The rule is asked first, so a caller who may not edit at all hears 403, not a request for a version.
    """
    item = visible_item(item_id)
    item_rules.require(actor(), item, "edit")
    version = data.pop("version", None) or _if_match_version()
    reason = data.pop("reason", None)
    items.edit_item(item, actor=actor(), changes=data, expected_version=version, now=utcnow(), reason=reason)
    response = item_response(item)
    return response


def _if_match_version() -> int:
    tags = [tag for tag in request.if_match.as_set() if ASCII_DIGITS.fullmatch(tag) and len(tag) < 10]
    if not tags:
        raise PreconditionRequired("须在 If-Match 头或请求体 version 中提供当前版本号",
                                   "Send the current version as If-Match or as version in the body",
                                   fields={"version": ["必填"]})
    return int(tags[0])
