"""The one filter of cards, read by both doors into the service's `ItemFilters`.

The board page, its export and the API's list and board take the same query names and load them here, so one
link narrows every door alike. Due dates are bounds that include their day: `due_from=2024-06-01&due_to=2024-06-30`
is June whole, as a person reads it. The API's first names, `due_after` and `due_before` (the day itself left
out), stay accepted with that meaning and are turned into the inclusive bounds here, nowhere else.
"""
from __future__ import annotations

from datetime import date, timedelta, timezone
from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validates_schema

from .. import limits
from ..models import ItemStatus
from ..services.work.boards import ItemFilters
from ..services.work.deadlines import Light
from .common import UtcDateTime, day_field, query_id, text_field

# query name -> ItemFilters field, for the names that carry over as they are
SAME = {"plan": "plan_id", "phase": "phase_id", "group": "group_id", "task": "task_id", "unit": "unit_id",
        "light": "light", "due_from": "due_from", "due_to": "due_to", "updated_since": "updated_since", "q": "q"}
ONE_DAY = timedelta(days=1)


class ItemFilterArgs(Schema):
    """What a list or board of cards may be narrowed by. Loading gives `filters` (an ItemFilters) beside the
    arguments a subclass adds (page, sort, lanes, ...)."""

    plan = query_id(metadata={"label": ("计划", "Plan")})
    phase = query_id()
    group = query_id()
    task = query_id()
    unit = query_id()
    status = fields.List(fields.Enum(ItemStatus, by_value=True), metadata={"description": "repeat for several"})
    light = fields.Enum(Light, by_value=True)
    due_from = day_field(metadata={"label": ("截止日期从", "Due from"),
                                   "description": "due on this day or later"})
    due_to = day_field(metadata={"label": ("截止日期至", "Due until"),
                                 "description": "due on this day or earlier"})
    due_after = day_field(metadata={"label": ("截止日期晚于", "Due after"), "deprecated": True,
                                    "description": "due later than this day (the day left out); prefer due_from"})
    due_before = day_field(metadata={"label": ("截止日期早于", "Due before"), "deprecated": True,
                                     "description": "due earlier than this day (the day left out); prefer due_to"})
    updated_since = UtcDateTime(default_timezone=timezone.utc, metadata={"label": ("更新于此后", "Updated since")})
    q = text_field(min_length=1, max_length=limits.SEARCH, metadata={"description": "text in title or description"})

    @validates_schema
    def _one_bound_a_side(self, data: dict[str, Any], **kwargs: Any) -> None:
        """Each side of the due range is given once, and the range holds at least one day."""
        for inclusive, exclusive in (("due_from", "due_after"), ("due_to", "due_before")):
            if inclusive in data and exclusive in data:
                raise ValidationError(f"与 {inclusive} 只能给出其一", exclusive)
        first, last = _first_day(data), _last_day(data)
        if first is not None and last is not None and first > last:
            raise ValidationError("截止日期范围的终点不得早于起点", "due_to" if "due_to" in data else "due_before")

    @post_load
    def _filters(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        values: dict[str, Any] = {"due_from": _first_day(data), "due_to": _last_day(data),
                                  "status": tuple(data.pop("status", ()))}
        for name in ("due_after", "due_before", "due_from", "due_to"):
            data.pop(name, None)
        values.update({SAME[name]: data.pop(name) for name in list(data) if name in SAME})
        return data | {"filters": ItemFilters(**values)}


def _first_day(data: dict[str, Any]) -> date | None:
    after = data.get("due_after")
    return after + ONE_DAY if after is not None else data.get("due_from")


def _last_day(data: dict[str, Any]) -> date | None:
    before = data.get("due_before")
    return before - ONE_DAY if before is not None else data.get("due_to")


def filter_query(filters: ItemFilters) -> dict[str, Any]:
    """The filters as query arguments again (the names ItemFilterArgs reads), for links that keep them."""
    found: dict[str, Any] = {name: getattr(filters, field) for name, field in SAME.items()
                             if getattr(filters, field) not in (None, "")}
    if filters.status:
        found["status"] = [status.value for status in filters.status]
    if filters.light is not None:
        found["light"] = filters.light.value
    if filters.updated_since is not None:
        found["updated_since"] = filters.updated_since.isoformat()
    return found
