"""Bulk decisions (services/work/bulk.py): one body per action, the items with the versions decided on, and the
answer item by item. The pages read the same schemas (page_forms.bulk_form), with each item as "id:version" text."""
from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from .. import limits
from ..services.work.bulk import ACTIONS
from .common import ID_RANGE, day_field, id_field, text_field

ITEM_COUNT = validate.Length(min=1, max=limits.BULK_ITEMS,
                             error=f"须选择 1 至 {limits.BULK_ITEMS} 项")


class BulkItemIn(Schema):
    id = id_field(required=True)
    version = id_field(required=True, metadata={"description": "the version the decision was made on"})


def items_field() -> fields.List:
    return fields.List(fields.Nested(BulkItemIn), required=True, validate=ITEM_COUNT, metadata={
        "description": f"the items to decide, each once, at most {limits.BULK_ITEMS}"})


class BulkApproveIn(Schema):
    items = items_field()


class BulkReturnIn(Schema):
    items = items_field()
    reason = text_field(required=True, min_length=1, max_length=limits.NOTE,
                        metadata={"description": "why they are returned, the same for every item"})


class BulkGrantIn(Schema):
    items = items_field()
    note = text_field(max_length=limits.NOTE)


class BulkRefuseIn(Schema):
    items = items_field()
    note = text_field(required=True, min_length=1, max_length=limits.NOTE,
                      metadata={"description": "why the extensions are refused"})


class BulkRedateIn(Schema):
    items = items_field()
    due_date = day_field(required=True, metadata={"description": "the new due date of every item"})
    reason = text_field(required=True, min_length=1, max_length=limits.NOTE,
                        metadata={"description": "why the due date moves"})


class BulkReassignIn(Schema):
    items = items_field()
    lead_unit_id = id_field(required=True, metadata={"description": "the new lead unit; cooperating units stay"})


# The body of each action, by the action's name (bulk.ACTIONS).
ACTION_SCHEMAS: dict[str, type[Schema]] = {
    "approve": BulkApproveIn, "return": BulkReturnIn, "grant": BulkGrantIn, "refuse": BulkRefuseIn,
    "redate": BulkRedateIn, "reassign": BulkReassignIn}
assert tuple(ACTION_SCHEMAS) == ACTIONS


class ItemVersion(fields.Field):
    """An item as a page posts it: "id:version" in ASCII digits, read into the API's {id, version}."""

    PATTERN = re.compile(r"([0-9]{1,10}):([0-9]{1,10})")

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> dict[str, int]:
        found = self.PATTERN.fullmatch(value.strip()) if isinstance(value, str) else None
        if found is None:
            raise ValidationError("须为“编号:版本号”")
        item_id, version = int(found[1]), int(found[2])
        for number in (item_id, version):
            ID_RANGE(number)
        return {"id": item_id, "version": version}


class BulkErrorOut(Schema):
    code = fields.String(required=True, metadata={"description": "stable, e.g. stale_version, forbidden"})
    message = fields.String(required=True, metadata={"description": "the single-item service's own words"})


class BulkResultOut(Schema):
    id = fields.Integer(required=True)
    ok = fields.Boolean(required=True)
    version = fields.Integer(metadata={"description": "the item's version after the decision (when ok)"})
    error = fields.Nested(BulkErrorOut, metadata={"description": "why this item was refused (when not ok)"})


class BulkOut(Schema):
    done = fields.Integer(required=True)
    refused = fields.Integer(required=True)
    results = fields.List(fields.Nested(BulkResultOut), required=True,
                          metadata={"description": "one per item, in the order sent"})
