"""Boards and lists of cards: the big read paths.

Each list or board is one SQL statement whatever the number of cards (window functions for per-column counts and
limits), each card written as JSON by the database (cards.py); dumping thousands of ORM objects through
marshmallow would cost more than the query (see ../shared/PITFALLS.md). Visibility is the permissions rule as a
WHERE clause, so a unit's board is its own unit's cards and the office's is the whole plan.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
import sqlalchemy as sa

from ...extensions import db
from ...models import Event, ItemStatus, Plan, Task, TaskGroup, Unit, User, WorkItem
from ..trust import permissions
from .cards import ROW_WIDTH, STATUS_AT, CardMaker, card_select, read
from .deadlines import Deadlines, Light, light_clause
from .search import item_search_clause
from .workflow import STATUS_LABELS

COLUMN_ORDER = list(ItemStatus)
COLUMN_INDEX = {status.value: index for index, status in enumerate(COLUMN_ORDER)}
DONE = ItemStatus.DONE.value
SWIMLANES = ("group", "task", "unit")
SORTS = ("urgency", "due", "priority", "changed", "position")
AD_HOC_GROUP = ("交办事项", "Ad-hoc assignments")


@dataclass(frozen=True)
class ItemFilters:
    """What a caller may narrow a list or board by; None means no restriction."""

    plan_id: int | None = None
    phase_id: int | None = None
    group_id: int | None = None
    task_id: int | None = None
    unit_id: int | None = None
    ad_hoc: bool | None = None
    status: tuple[ItemStatus, ...] = ()
    light: Light | None = None
    due_from: date | None = None  # due on this day or later
    due_to: date | None = None  # due on this day or earlier
    updated_since: datetime | None = None
    q: str | None = None
    ids: tuple[int, ...] | None = None  # only these items (a dashboard figure's, see dashboard.figure_item_ids)
    for_review: bool = False  # submitted and waiting for the actor's review (permissions.review_queue_clause)


def _conditions(actor: User, filters: ItemFilters, deadlines: Deadlines) -> list[sa.ColumnElement[bool]]:
    where = [permissions.visible_items_clause(actor)]
    simple = ((WorkItem.plan_id, filters.plan_id), (WorkItem.phase_id, filters.phase_id),
              (Task.group_id, filters.group_id), (WorkItem.task_id, filters.task_id),
              (WorkItem.unit_id, filters.unit_id))
    where += [column == value for column, value in simple if value is not None]
    where.append(WorkItem.cancelled_at.is_(None))
    if filters.ad_hoc is not None:
        where.append(WorkItem.task_id.is_(None) if filters.ad_hoc else WorkItem.task_id.is_not(None))
    if filters.status:
        where.append(WorkItem.status.in_(filters.status))
    if filters.light is not None:
        where.append(light_clause(filters.light, today=deadlines.today, warning_days=deadlines.warning_days))
    if filters.due_from is not None:
        where.append(WorkItem.due_date >= filters.due_from)
    if filters.due_to is not None:
        where.append(WorkItem.due_date <= filters.due_to)
    if filters.updated_since is not None:
        where.append(WorkItem.updated_at >= filters.updated_since)
    if filters.q:
        where.append(item_search_clause(filters.q))
    if filters.ids is not None:
        where.append(WorkItem.id.in_(filters.ids))
    if filters.for_review:
        where += [WorkItem.status == ItemStatus.SUBMITTED, permissions.review_queue_clause(actor)]
    return where


def change_mark() -> int:
    """A number that grows with every committed change a card, list or board can show: the latest audit event's id.

    Every change to an item, a unit, a plan or an account writes an audit event in its own transaction (the house
    rule), and events are appended one transaction at a time, so their ids grow in commit order. One primary-key
    lookup, whatever the size of the plan: what makes an ETag check cheap (the statement built once and sent
    through the connection: 20 µs where building it and going through the ORM took 77).
    """
    return db.session.connection().execute(_LATEST_EVENT).scalar() or 0


_LATEST_EVENT = sa.select(sa.func.max(Event.id))


def _order(sort: str, today: date) -> tuple[sa.ColumnElement[Any] | sa.orm.InstrumentedAttribute[Any], ...]:
    """A column's card order. Urgency: overdue cards first, the longest overdue first (earliest due date), then
    the rest by due date, high priority first on the same day; cards without a due date last."""
    no_due = sa.case((WorkItem.due_date.is_(None), 1), else_=0)
    rank = sa.case((WorkItem.priority == "high", 0), (WorkItem.priority == "normal", 1), else_=2)
    overdue = sa.case((sa.and_(WorkItem.status != DONE, WorkItem.due_date < today), 0), else_=1)
    orders = {"urgency": (overdue, no_due, WorkItem.due_date, rank), "due": (no_due, WorkItem.due_date),
              "priority": (rank, no_due, WorkItem.due_date), "changed": (WorkItem.updated_at.desc(),),
              "position": (WorkItem.position,)}
    return (*orders[sort], WorkItem.id)


def list_items(filters: ItemFilters, *, actor: User, deadlines: Deadlines, after_id: int | None,
               limit: int, fields: tuple[str, ...] = (), as_json: bool = False) -> tuple[list[Any], int | None]:
    """One page of cards in id order (stable under inserts and moves) and the cursor of the next page. Cards are
    dicts, or with `as_json` orjson fragments of the database's JSON (an API answer: encoded once)."""
    stmt = card_select(actor, deadlines, fields).where(*_conditions(actor, filters, deadlines)) \
        .order_by(WorkItem.id).limit(limit + 1)
    if after_id is not None:
        stmt = stmt.where(WorkItem.id > after_id)
    found = read(stmt).all()
    card = _maker(actor, fields, as_json)
    page = [card(row) for row in found[:limit]]
    return page, (found[limit - 1].id if len(found) > limit else None)


def _maker(actor: User, fields: tuple[str, ...], as_json: bool) -> Any:
    """A card per row: a dict, or an orjson fragment to be encoded within an answer."""
    card = CardMaker(actor, fields, as_json=as_json)
    return (lambda row: orjson.Fragment(card(row))) if as_json else card


def default_plan_id() -> int | None:
    """The board's plan when the caller names none: the most recently loaded plan."""
    return db.session.execute(sa.select(Plan.id).order_by(Plan.loaded_at.desc(), Plan.id.desc()).limit(1)).scalar()


def _lane_columns(swimlanes: str | None) -> tuple[sa.SQLColumnExpression[Any], sa.SQLColumnExpression[Any],
                                                  sa.SQLColumnExpression[Any]]:
    """(key, title, sort) of the lane each card falls in."""
    if swimlanes == "group":
        return TaskGroup.id, sa.func.coalesce(TaskGroup.title, AD_HOC_GROUP[0]), sa.func.coalesce(TaskGroup.seq, 1 << 30)
    if swimlanes == "task":
        return (Task.id, sa.func.coalesce(sa.cast(Task.number, sa.String) + sa.literal(". ") + Task.title,
                                          AD_HOC_GROUP[0]), sa.func.coalesce(Task.number, 1 << 30))
    if swimlanes == "unit":
        return Unit.id, Unit.short_name, Unit.id
    return sa.literal(0), sa.literal(""), sa.literal(0)


def board_statement(filters: ItemFilters, *, actor: User, deadlines: Deadlines, swimlanes: str | None,
                    sort: str, fields: tuple[str, ...] = (), workflow_order: bool = False
                    ) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """The board's rows before any limit, and the whole board's statement: lane by lane, column by column, cards
    in `sort` order. Columns come by status (an index serves it) unless `workflow_order`: then in workflow order,
    so a reader may write each column out as it ends (board_stream)."""
    lane_key, lane_title, lane_sort = _lane_columns(swimlanes)
    query = (card_select(actor, deadlines, fields).outerjoin(TaskGroup, TaskGroup.id == Task.group_id)
             .add_columns(lane_key.label("lane_key"), lane_title.label("lane_title"), lane_sort.label("lane_sort"))
             .where(*_conditions(actor, filters, deadlines)))
    column = sa.case(COLUMN_INDEX, value=WorkItem.status) if workflow_order else WorkItem.status
    return query, query.order_by(lane_sort, lane_key.nulls_last(), column, *_order(sort, deadlines.today))


def board(filters: ItemFilters, *, actor: User, deadlines: Deadlines, swimlanes: str | None,
          limit: int | None, sort: str = "position", fields: tuple[str, ...] = (),
          as_json: bool = False) -> dict[str, Any]:
    """Columns in workflow order, each with its count and its cards in `sort` order (SORTS), per swimlane; cards
    as list_items makes them.

    One statement. With a `limit`, window functions number the cards of each (lane, column) and count them, so
    the limit cuts the cards shown without losing the count; a whole board needs neither: its rows come in
    order and are counted as they come, which spares the database a sort of every row per window.
    Without a plan filter, the board is the latest plan's.
    """
    if filters.plan_id is None:
        filters = dataclasses.replace(filters, plan_id=default_plan_id())
    query, stmt = board_statement(filters, actor=actor, deadlines=deadlines, swimlanes=swimlanes, sort=sort,
                                  fields=fields)
    if limit is not None:
        lane_key, _title, _sort = _lane_columns(swimlanes)
        order = _order(sort, deadlines.today)
        partition = [lane_key, WorkItem.status]
        inner = query.add_columns(sa.func.row_number().over(partition_by=partition, order_by=order).label("rn"),
                                  sa.func.count().over(partition_by=partition).label("n")).subquery()
        stmt = (sa.select(inner).where(inner.c.rn <= limit)
                .order_by(inner.c.lane_sort, inner.c.lane_key.nulls_last(), inner.c.status, inner.c.rn))
    lanes: dict[Any, dict[str, Any]] = {}
    card = _maker(actor, fields, as_json)
    lane_at = ROW_WIDTH  # lane_key, lane_title, lane_sort follow the card's row
    for row in read(stmt):
        lane = lanes.get(row[lane_at])
        if lane is None:
            lane = lanes[row[lane_at]] = {"key": row[lane_at] if swimlanes else None,
                                          "title": row[lane_at + 1] if swimlanes else None,
                                          "columns": _empty_columns()}
        column = lane["columns"][COLUMN_INDEX[row[STATUS_AT]]]
        column["count"] = row.n if limit is not None else column["count"] + 1
        column["cards"].append(card(row))
    totals = [{"status": status.value, "label": STATUS_LABELS[status][0], "label_en": STATUS_LABELS[status][1],
               "count": sum(lane["columns"][index]["count"] for lane in lanes.values())}
              for index, status in enumerate(COLUMN_ORDER)]
    return {"plan_id": filters.plan_id, "swimlanes": swimlanes, "limit": limit, "today": deadlines.today.isoformat(),
            "columns": totals,
            "lanes": list(lanes.values()) or ([] if swimlanes else [{"key": None, "title": None,
                                                                     "columns": _empty_columns()}])}


def _empty_columns() -> list[dict[str, Any]]:
    return [{"status": status.value, "label": STATUS_LABELS[status][0], "label_en": STATUS_LABELS[status][1],
             "count": 0, "cards": []} for status in COLUMN_ORDER]
