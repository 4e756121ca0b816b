"""Bulk decisions (issue 22): one endpoint per action, a list of items in, one answer per item out.

The request is one transaction with a savepoint per item (services/work/bulk.py): a refused item is reported and
rolled back alone, the rest commit together. The answer is 200 whenever the list itself was acceptable, however
many items were refused; a list refused as a whole (not the office, empty, too long, an id twice, a field
unknown or malformed) changes nothing and is answered as every other refusal is.
"""
from __future__ import annotations

from typing import Any

from flask import Response

from ..clock import utcnow
from ..services.work import bulk
from .auth import actor
from .common import api_blueprint, errors, json_response
from .errors import language
from ..schemas.bulk import (
    BulkApproveIn,
    BulkGrantIn,
    BulkOut,
    BulkReassignIn,
    BulkRedateIn,
    BulkRefuseIn,
    BulkReturnIn,
)

blp = api_blueprint("bulk", "Bulk decisions: the office approves, returns, extends, re-dates or reassigns many "
                            "items at once, each decided and audited as one at a time")


@blp.before_request
def office_first() -> None:
    """Anyone but the office hears 403 before the body is read (the service asks again)."""
    bulk.require(actor())


def answer(action: str, data: dict[str, Any]) -> Response:
    """The action decided on every item the body names, and one result per item."""
    targets, decision = bulk.asked(action, data)
    outcomes = bulk.decide(targets, decision, actor=actor(), now=utcnow())
    lang = language()
    results = [{"id": o.id, "ok": True, "version": o.version} if o.refusal is None else
               {"id": o.id, "ok": False, "error": {"code": o.refusal.code, "message": o.refusal.message(lang)}}
               for o in outcomes]
    done = sum(1 for o in outcomes if o.ok)
    return json_response({"done": done, "refused": len(outcomes) - done, "results": results})


@blp.route("/bulk/approve", methods=["POST"])
@blp.arguments(BulkApproveIn)
@blp.response(200, BulkOut)
@errors(blp, 403)
def approve(data: dict[str, Any]) -> Response:
    """Approve submitted items (to 已办结), each as POST /items/{id}/review with decision approve."""
    return answer("approve", data)


@blp.route("/bulk/return", methods=["POST"])
@blp.arguments(BulkReturnIn)
@blp.response(200, BulkOut)
@errors(blp, 403)
def return_(data: dict[str, Any]) -> Response:
    """Return submitted items (to 进行中) with one reason, each as POST /items/{id}/review with decision return."""
    return answer("return", data)


@blp.route("/bulk/grant", methods=["POST"])
@blp.arguments(BulkGrantIn)
@blp.response(200, BulkOut)
@errors(blp, 403)
def grant(data: dict[str, Any]) -> Response:
    """Grant each item's waiting extension request (its due date moves), as POST /extensions/{id}/decision."""
    return answer("grant", data)


@blp.route("/bulk/refuse", methods=["POST"])
@blp.arguments(BulkRefuseIn)
@blp.response(200, BulkOut)
@errors(blp, 403)
def refuse(data: dict[str, Any]) -> Response:
    """Refuse each item's waiting extension request with one note."""
    return answer("refuse", data)


@blp.route("/bulk/redate", methods=["POST"])
@blp.arguments(BulkRedateIn)
@blp.response(200, BulkOut)
@errors(blp, 403)
def redate(data: dict[str, Any]) -> Response:
    """Give every item a new due date with one reason, each as PATCH /items/{id} with due_date and reason."""
    return answer("redate", data)


@blp.route("/bulk/reassign", methods=["POST"])
@blp.arguments(BulkReassignIn)
@blp.response(200, BulkOut)
@errors(blp, 403, 404)
def reassign(data: dict[str, Any]) -> Response:
    """A new lead unit for every item, its cooperating units kept, each as PUT /items/{id}/units."""
    return answer("reassign", data)
