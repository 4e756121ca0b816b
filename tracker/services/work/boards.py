"""Boards and lists of cards: the big read paths.

Each list or board is one SQL statement whatever the number of cards (columns selected, joined names, window
functions for per-column counts and limits) turned into plain dicts; dumping thousands of ORM objects through
marshmallow would cost more than the query (see ../shared/PITFALLS.md). Visibility is the permissions rule as a
WHERE clause, so a unit's board is its own unit's cards and the office's is the whole plan.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import (
    AccountabilityRecord,
    ContestStatus,
    Event,
    ItemContest,
    ItemStatus,
    ItemUnit,
    Plan,
    ProgressUpdate,
    RecordStatus,
    Task,
    TaskGroup,
    Unit,
    User,
    WorkItem,
)
from ...models.accountability import UNANSWERED_KIND
from ..plan import wording
from ..plan.workdays import WEEKDAYS_ONLY, Calendar
from ..trust import permissions
from . import evidence, offers
from .item_rules import Facts
from .deadlines import Light, days_overdue, light, light_clause
from .search import item_search_clause
from .workflow import STATUS_LABELS

COLUMN_ORDER = list(ItemStatus)
COLUMN_INDEX = {status.value: index for index, status in enumerate(COLUMN_ORDER)}
DONE = ItemStatus.DONE.value
IN_PROGRESS = ItemStatus.IN_PROGRESS.value
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


@dataclass(frozen=True)
class Deadlines:
    today: date
    warning_days: int
    calendar: Calendar = WEEKDAYS_ONLY  # working days: the window to contest an item counts them


# Status and priority come back as plain strings: converting 5,000 of each to enums and back costs more than
# the query.
CARD_COLUMNS = (
    WorkItem.id, WorkItem.plan_id, WorkItem.phase_id, WorkItem.task_id, Task.number.label("task_number"),
    Task.group_id, WorkItem.unit_id, Unit.short_name.label("unit_name"), WorkItem.title,
    sa.type_coerce(WorkItem.status, sa.String).label("status"), WorkItem.position,
    sa.type_coerce(WorkItem.priority, sa.String).label("priority"), WorkItem.due_date, WorkItem.original_due_date,
    WorkItem.version, WorkItem.returned_count, WorkItem.updated_at, WorkItem.parent_id,
    sa.type_coerce(WorkItem.source, sa.String).label("source"), User.display_name.label("responsible_name"),
    WorkItem.template_id,
    # the highest level still open on the card (提醒/催办/督办/通报), settled and closed ones not counted
    sa.select(AccountabilityRecord.level_name).where(
        AccountabilityRecord.item_id == WorkItem.id, AccountabilityRecord.kind != UNANSWERED_KIND,
        AccountabilityRecord.status.in_([RecordStatus.OPEN.value, RecordStatus.ANSWERED.value]))
    .order_by(AccountabilityRecord.level.desc()).limit(1).correlate(WorkItem).scalar_subquery().label("open_level"),
    # 异议中: a contest waits for the office (the ladder's clock runs on; the card only shows it)
    sa.exists().where(ItemContest.item_id == WorkItem.id, ItemContest.status == ContestStatus.PENDING)
    .correlate(WorkItem).label("contested"),
)
STATUS_AT = 9  # the status's place in CARD_COLUMNS
CARD_WIDTH = len(CARD_COLUMNS) + 1  # the card's own columns and the actor's part in it (my_part)
# What a card's moves are judged on besides its own columns (item_rules.Facts): who split it, whether a sub-item
# holds it back, and who submitted it (they may not approve it).
_PARENT, _CHILD = sa.orm.aliased(WorkItem), sa.orm.aliased(WorkItem)
RULE_COLUMNS = (
    sa.select(_PARENT.unit_id).where(_PARENT.id == WorkItem.parent_id).correlate(WorkItem).scalar_subquery()
    .label("parent_unit_id"),
    sa.exists().where(_CHILD.parent_id == WorkItem.id, _CHILD.status != ItemStatus.DONE,
                      _CHILD.cancelled_at.is_(None)).correlate(WorkItem).label("has_open_children"),
    sa.case((WorkItem.status == ItemStatus.SUBMITTED, sa.select(ProgressUpdate.author_id).where(
        ProgressUpdate.item_id == WorkItem.id, ProgressUpdate.is_closing_report.is_(True))
        .order_by(ProgressUpdate.id.desc()).limit(1).correlate(WorkItem).scalar_subquery()))
    .label("submitted_by"),
)


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


def _part_column(actor: User) -> sa.ColumnElement[Any]:
    """The actor's unit's part in each card: "lead", "cooperating" (shown 配合) or null (the office, leaders,
    a unit looking at its subtree's items)."""
    if permissions.sees_everything(actor):
        return sa.null()
    cooperates = sa.exists().where(ItemUnit.item_id == WorkItem.id, ItemUnit.unit_id == actor.unit_id)
    return sa.case((WorkItem.unit_id == actor.unit_id, sa.literal("lead")),
                   (cooperates, sa.literal("cooperating")), else_=sa.null())


def _cards_from(actor: User) -> sa.Select[*tuple[Any, ...]]:
    """Ad-hoc items (交办件) have no task: the outer join gives them no task number and no group."""
    return sa.select(*CARD_COLUMNS, _part_column(actor).label("my_part"), *RULE_COLUMNS).select_from(WorkItem) \
        .outerjoin(Task, Task.id == WorkItem.task_id).join(Unit, Unit.id == WorkItem.unit_id) \
        .outerjoin(User, User.id == WorkItem.responsible_user_id)


CARD_FIELDS = ("id", "plan_id", "phase_id", "task_id", "task_number", "group_id", "unit_id", "unit_name", "title",
               "status", "position", "priority", "due_date", "original_due_date", "version", "returned_count",
               "updated_at", "light", "days_overdue", "open_level", "contested", "parent_id", "source", "responsible_name",
               "my_part", "offers")


def change_mark() -> int:
    """A number that grows with every committed change a card, list or board can show: the latest audit event's id.

    Every change to an item, a unit, a plan or an account writes an audit event in its own transaction (the house
    rule), and events are appended one transaction at a time, so their ids grow in commit order. One primary-key
    lookup, whatever the size of the plan: what makes an ETag check cheap.
    """
    return db.session.execute(sa.select(sa.func.max(Event.id))).scalar() or 0


class CardMaker:
    """Turns rows into cards: the per-row Python of every board and list, so it does as little per row as it can.

    What a card derives is computed once per distinct input, not once per card: the light and days overdue per
    (done?, due date) by deadlines.light, the one rule; a date's ISO text per date; and what the actor is offered
    (`offers`: its moves and whether it may be reordered) per combination of the facts the card rules read
    (`_offer_key`), judged by item_rules through offers.of_card as the move itself is. A board of 5,000 cards
    has a few dozen such combinations, so the rules run a few dozen times rather than 5,000 (half the time of a
    board before). Cards of one combination share one offers dict: it is read and encoded, never changed. With
    `fields`, a card carries only those (a lean list for clients that show a few)."""

    def __init__(self, deadlines: Deadlines, actor: User, fields: tuple[str, ...] = ()) -> None:
        self.deadlines = deadlines
        self.actor = actor
        self.fields = fields
        self.derived: dict[tuple[bool, date | None], tuple[str | None, int]] = {}
        self.iso: dict[date | None, str | None] = {None: None}
        self.offered: dict[tuple[Any, ...], dict[str, Any]] = {}
        self.wordings = wording.wordings()  # titles show the plan's X values once the office set them
        self.evidence: evidence.Rules | None = None

    def _derive(self, done: bool, due: date | None) -> tuple[str | None, int]:
        found = light(status=ItemStatus.DONE if done else ItemStatus.ASSIGNED, due=due,
                      today=self.deadlines.today, warning_days=self.deadlines.warning_days)
        return (found.value if found else None), (0 if done else days_overdue(due, self.deadlines.today))

    def _date(self, value: date | None) -> str | None:
        found = self.iso.get(value, False)
        if found is False:
            found = self.iso[value] = value.isoformat()  # type: ignore[union-attr]
        return found  # type: ignore[return-value]

    def _offers(self, item_id: int, status: str, unit_id: int, plan_id: int, task_id: int | None,
                template_id: int | None, parent_id: int | None, parent_unit_id: int | None, has_open_children: bool,
                submitted_by: int | None) -> dict[str, Any]:
        """The card's offers, judged once per key: every fact the card rules (item_rules: reorder, sign, submit,
        approve, return) read of a card, and nothing else. Its column and lead unit; the unit that split it, if
        it was split; whether a sub-item holds it back; whether the actor submitted it; and for a card in
        progress (the only column a submission leaves) what its evidence rule is decided by."""
        key = (status, unit_id, parent_unit_id if parent_id is not None else None, parent_id is not None,
               bool(has_open_children), submitted_by == self.actor.id,
               (plan_id, task_id is None, template_id, parent_id) if status == IN_PROGRESS else None)
        found = self.offered.get(key)
        if found is None:
            def evidence_rule() -> Any:
                self.evidence = self.evidence or evidence.Rules()
                return self.evidence.of(plan_id=plan_id, task_id=task_id, template_id=template_id,
                                        parent_id=parent_id)
            # Only the facts of the key: a rule reading any other fact of a card fails here (Facts.item) rather
            # than being answered from another card. The id is the first such card's: a held-back card's refusal
            # names its open sub-items, read by id; whether it refuses, all an offer says, is in the key.
            children: dict[str, Any] = {} if has_open_children else {"open_children": []}
            facts = Facts(id=item_id, status=ItemStatus(status), unit_id=unit_id, parent_id=parent_id,
                          cancelled=False, parent_unit_id=parent_unit_id, submitted_by=submitted_by,
                          evidence_of=evidence_rule, **children)
            found = self.offered[key] = offers.of_card(self.actor, facts)
        return found

    def __call__(self, row: Any) -> dict[str, Any]:
        (item_id, plan_id, phase_id, task_id, task_number, group_id, unit_id, unit_name, title, status, position,
         priority, due, original_due, version, returned_count, updated_at, parent_id, source,
         responsible_name, template_id, open_level, contested, my_part, parent_unit_id, has_open_children,
         submitted_by) = row[:CARD_WIDTH + len(RULE_COLUMNS)]
        if template_id in self.wordings:
            title = self.wordings[template_id].title_of(title)
        key = (status == DONE, due)
        derived = self.derived.get(key) or self.derived.setdefault(key, self._derive(*key))
        iso = self.iso
        card = {
            "id": item_id, "plan_id": plan_id, "phase_id": phase_id, "task_id": task_id,
            "task_number": task_number, "group_id": group_id, "unit_id": unit_id, "unit_name": unit_name,
            "title": title, "status": status, "position": position, "priority": priority,
            "due_date": iso[due] if due in iso else self._date(due),
            "original_due_date": iso[original_due] if original_due in iso else self._date(original_due),
            "version": version, "returned_count": returned_count, "updated_at": updated_at.isoformat(),
            "light": derived[0], "days_overdue": derived[1], "open_level": open_level, "contested": bool(contested),
            "parent_id": parent_id,
            "source": source, "responsible_name": responsible_name, "my_part": my_part,
        }
        if not self.fields or "offers" in self.fields:
            card["offers"] = self._offers(item_id, status, unit_id, plan_id, task_id, template_id, parent_id,
                                          parent_unit_id, has_open_children, submitted_by)
        if not self.fields:
            return card
        return {name: card[name] for name in self.fields}


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
               limit: int, fields: tuple[str, ...] = ()) -> tuple[list[dict[str, Any]], int | None]:
    """One page of cards in id order (stable under inserts and moves) and the cursor of the next page."""
    stmt = _cards_from(actor).where(*_conditions(actor, filters, deadlines)).order_by(WorkItem.id).limit(limit + 1)
    if after_id is not None:
        stmt = stmt.where(WorkItem.id > after_id)
    found = db.session.execute(stmt).all()
    card = CardMaker(deadlines, actor, fields)
    page = [card(row) for row in found[:limit]]
    return page, (found[limit - 1].id if len(found) > limit else None)


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
                    sort: str, workflow_order: bool = False) -> tuple[sa.Select[Any], sa.Select[Any]]:
    """The board's rows before any limit, and the whole board's statement: lane by lane, column by column, cards
    in `sort` order. Columns come by status (an index serves it) unless `workflow_order`: then in workflow order,
    so a reader may write each column out as it ends (board_stream)."""
    lane_key, lane_title, lane_sort = _lane_columns(swimlanes)
    query = (_cards_from(actor).outerjoin(TaskGroup, TaskGroup.id == Task.group_id)
             .add_columns(lane_key.label("lane_key"), lane_title.label("lane_title"), lane_sort.label("lane_sort"))
             .where(*_conditions(actor, filters, deadlines)))
    column = sa.case(COLUMN_INDEX, value=WorkItem.status) if workflow_order else WorkItem.status
    return query, query.order_by(lane_sort, lane_key.nulls_last(), column, *_order(sort, deadlines.today))


def board(filters: ItemFilters, *, actor: User, deadlines: Deadlines, swimlanes: str | None,
          limit: int | None, sort: str = "position", fields: tuple[str, ...] = ()) -> dict[str, Any]:
    """Columns in workflow order, each with its count and its cards in `sort` order (SORTS), per swimlane.

    One statement. With a `limit`, window functions number the cards of each (lane, column) and count them, so
    the limit cuts the cards shown without losing the count; a whole board needs neither: its rows come in
    order and are counted as they come, which spares the database a sort of every row per window.
    Without a plan filter, the board is the latest plan's.
    """
    if filters.plan_id is None:
        filters = dataclasses.replace(filters, plan_id=default_plan_id())
    query, stmt = board_statement(filters, actor=actor, deadlines=deadlines, swimlanes=swimlanes, sort=sort)
    if limit is not None:
        lane_key, _title, _sort = _lane_columns(swimlanes)
        order = _order(sort, deadlines.today)
        partition = [lane_key, WorkItem.status]
        inner = query.add_columns(sa.func.row_number().over(partition_by=partition, order_by=order).label("rn"),
                                  sa.func.count().over(partition_by=partition).label("n")).subquery()
        stmt = (sa.select(inner).where(inner.c.rn <= limit)
                .order_by(inner.c.lane_sort, inner.c.lane_key.nulls_last(), inner.c.status, inner.c.rn))
    lanes: dict[Any, dict[str, Any]] = {}
    card = CardMaker(deadlines, actor, fields)
    lane_at = CARD_WIDTH + len(RULE_COLUMNS)  # lane_key, lane_title, lane_sort follow the card's columns
    for row in db.session.execute(stmt):
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
