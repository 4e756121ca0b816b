"""A card as the database writes it: each item of a board or list as one JSON object, made by the statement that
reads it.

Turning rows into card dicts in Python (a 25-key dict, its light, its dates as text, per card) was most of a
board's time: 5,000 cards took 100 ms in process where the rows alone took 20 (bench/README.md). Here each field of
a card is a SQL expression, the one rule it shows (the light by deadlines' clauses, the title by wording's column,
the open level by the records), and the database writes a row's fields as one JSON object (SQLite's json_object,
PostgreSQL's json_build_object). An API answer sends that text on as it is; a page reads it with orjson. What
stays in Python is what the item rules judge: a card's offers, once per combination of the facts they read
(CardMaker), appended to the object.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ...extensions import db
from ...models import (
    AccountabilityRecord,
    ContestStatus,
    ItemContest,
    ItemStatus,
    ItemUnit,
    ProgressUpdate,
    RecordStatus,
    Task,
    Unit,
    User,
    WorkItem,
)
from ...models.accountability import UNANSWERED_KIND
from ..plan import wording
from ..trust import permissions
from . import evidence, offers
from .deadlines import Deadlines, Light, days_overdue_clause, light_clause
from .item_rules import Facts

CARD_FIELDS = ("id", "plan_id", "phase_id", "task_id", "task_number", "group_id", "unit_id", "unit_name", "title",
               "status", "position", "priority", "due_date", "original_due_date", "version", "returned_count",
               "updated_at", "light", "days_overdue", "open_level", "contested", "parent_id", "source",
               "responsible_name", "my_part", "offers")


def _written(function: type[FunctionElement[Any]], *, sqlite: str, postgresql: str) -> None:
    """Compile `function` as each database writes it: `{0}` in a template is its compiled arguments."""
    for dialect, template in (("sqlite", sqlite), ("postgresql", postgresql)):
        def write(element: FunctionElement[Any], compiler: Any, template: str = template, **kw: Any) -> str:
            return template.format(compiler.process(element.clauses, **kw))
        compiles(function, dialect)(write)


class json_row(FunctionElement[str]):
    """A JSON object's text from name, value, name, value...: SQLite's json_object, PostgreSQL's
    json_build_object. Names are the card's own field names (literals, never input)."""

    type = sa.String()
    inherit_cache = True
    name = "json_row"


class json_flag(FunctionElement[bool]):
    """A condition as JSON true or false: SQLite has no booleans (an EXISTS is 0 or 1), so it writes json('true')."""

    type = sa.Boolean()
    inherit_cache = True
    name = "json_flag"


class iso_moment(FunctionElement[str]):
    """A UTC moment as Python's `isoformat()` writes an aware datetime ('2026-12-05T08:30:00.250000+00:00', no
    fraction when it is whole), so a card's `updated_at` reads as the item's own does (detail, exports).
    SQLAlchemy stores SQLite's moments as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC here: models/types.UTCDateTime)."""

    type = sa.String()
    inherit_cache = True
    name = "iso_moment"


class utf8(FunctionElement[bytes]):
    """Text as its UTF-8 bytes, so a long JSON answer the database wrote reaches the response as it is, not
    decoded into a str and encoded again (SQLite: CAST AS BLOB; PostgreSQL: convert_to)."""

    type = sa.LargeBinary()
    inherit_cache = True
    name = "utf8"


_written(json_row, sqlite="json_object({0})", postgresql="CAST(json_build_object({0}) AS TEXT)")
_written(json_flag, sqlite="CASE WHEN {0} THEN json('true') ELSE json('false') END", postgresql="({0})")
_written(iso_moment,
         sqlite="(CASE WHEN substr({0}, 20) = '.000000' THEN replace(substr({0}, 1, 19), ' ', 'T') "
                "ELSE replace({0}, ' ', 'T') END || '+00:00')",
         postgresql="(to_char(({0}) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
                    "CASE WHEN to_char(({0}) AT TIME ZONE 'UTC', 'US') = '000000' THEN '' "
                    "ELSE to_char(({0}) AT TIME ZONE 'UTC', '.US') END || '+00:00')")
_written(utf8, sqlite="CAST({0} AS BLOB)", postgresql="convert_to({0}, 'UTF8')")


# the highest level still open on the item (提醒/催办/督办/通报; settled, closed and 督办未答复 not counted)
OPEN_LEVEL = (sa.select(AccountabilityRecord.level_name).where(
    AccountabilityRecord.item_id == WorkItem.id, AccountabilityRecord.kind != UNANSWERED_KIND,
    AccountabilityRecord.status.in_([RecordStatus.OPEN.value, RecordStatus.ANSWERED.value]))
    .order_by(AccountabilityRecord.level.desc()).limit(1).correlate(WorkItem).scalar_subquery())
# 异议中: a contest waits for the office (the ladder's clock runs on; the card only shows it)
CONTESTED = sa.exists().where(ItemContest.item_id == WorkItem.id, ItemContest.status == ContestStatus.PENDING) \
    .correlate(WorkItem)


def _text(value: str) -> sa.ColumnElement[str]:
    """A constant of the card's own (never input) as SQL text: typed in the statement itself, so PostgreSQL's
    json_build_object knows its type."""
    return sa.literal_column(f"'{value}'", sa.String)


def light_column(deadlines: Deadlines) -> sa.ColumnElement[Any]:
    """The card's light by deadlines' own clauses (null when done)."""
    return sa.case(*[(light_clause(shade, today=deadlines.today, warning_days=deadlines.warning_days),
                      _text(shade.value)) for shade in Light], else_=sa.null())


def days_overdue_column(deadlines: Deadlines) -> sa.ColumnElement[Any]:
    return sa.case((light_clause(Light.RED, today=deadlines.today, warning_days=deadlines.warning_days),
                    days_overdue_clause(deadlines.today, WorkItem.due_date)), else_=0)


def part_column(actor: User) -> sa.ColumnElement[Any]:
    """The actor's unit's part in each card: "lead", "cooperating" (shown 配合) or null (the office, leaders,
    a unit looking at its subtree's items)."""
    if permissions.sees_everything(actor):
        return sa.null()
    cooperates = sa.exists().where(ItemUnit.item_id == WorkItem.id, ItemUnit.unit_id == actor.unit_id)
    return sa.case((WorkItem.unit_id == actor.unit_id, _text("lead")),
                   (cooperates, _text("cooperating")), else_=sa.null())


def card_values(actor: User, deadlines: Deadlines) -> dict[str, sa.ColumnElement[Any] | Any]:
    """Every field of a card but its offers, as SQL."""
    return {
        "id": WorkItem.id, "plan_id": WorkItem.plan_id, "phase_id": WorkItem.phase_id, "task_id": WorkItem.task_id,
        "task_number": Task.number, "group_id": Task.group_id, "unit_id": WorkItem.unit_id,
        "unit_name": Unit.short_name, "title": wording.title_column().element,
        "status": sa.type_coerce(WorkItem.status, sa.String), "position": WorkItem.position,
        "priority": sa.type_coerce(WorkItem.priority, sa.String), "due_date": WorkItem.due_date,
        "original_due_date": WorkItem.original_due_date, "version": WorkItem.version,
        "returned_count": WorkItem.returned_count, "updated_at": iso_moment(WorkItem.updated_at),
        "light": light_column(deadlines), "days_overdue": days_overdue_column(deadlines), "open_level": OPEN_LEVEL,
        "contested": json_flag(CONTESTED), "parent_id": WorkItem.parent_id,
        "source": sa.type_coerce(WorkItem.source, sa.String), "responsible_name": User.display_name,
        "my_part": part_column(actor),
    }


# What a card's moves are judged on besides its own columns (item_rules.Facts): who split it, whether a sub-item
# holds it back, and who submitted it (they may not approve it).
_PARENT, _CHILD = sa.orm.aliased(WorkItem), sa.orm.aliased(WorkItem)
FACT_COLUMNS = (
    WorkItem.id, sa.type_coerce(WorkItem.status, sa.String).label("status"), WorkItem.unit_id, WorkItem.plan_id,
    WorkItem.task_id, WorkItem.template_id, WorkItem.parent_id,
    sa.select(_PARENT.unit_id).where(_PARENT.id == WorkItem.parent_id).correlate(WorkItem).scalar_subquery()
    .label("parent_unit_id"),
    sa.exists().where(_CHILD.parent_id == WorkItem.id, _CHILD.status != ItemStatus.DONE,
                      _CHILD.cancelled_at.is_(None)).correlate(WorkItem).label("has_open_children"),
    sa.case((WorkItem.status == ItemStatus.SUBMITTED, sa.select(ProgressUpdate.author_id).where(
        ProgressUpdate.item_id == WorkItem.id, ProgressUpdate.is_closing_report.is_(True))
        .order_by(ProgressUpdate.id.desc()).limit(1).correlate(WorkItem).scalar_subquery()))
    .label("submitted_by"),
)
STATUS_AT = 2  # the status's place in a card row: the card's JSON, then FACT_COLUMNS
ROW_WIDTH = 1 + len(FACT_COLUMNS)  # what a statement adds (lanes, counts) follows


def card_select(actor: User, deadlines: Deadlines, fields: Sequence[str] = ()) -> sa.Select[Any]:
    """Each card's JSON (only `fields` when given) and the facts its offers are judged on. Ad-hoc items (交办件)
    have no task: the outer join gives them no task number and no group."""
    values = card_values(actor, deadlines)
    named = [name for name in (fields or CARD_FIELDS) if name != "offers"]
    card = json_row(*[part for name in named for part in (_text(name), values[name])]).label("card")
    return sa.select(card, *FACT_COLUMNS).select_from(WorkItem) \
        .outerjoin(Task, Task.id == WorkItem.task_id).join(Unit, Unit.id == WorkItem.unit_id) \
        .outerjoin(User, User.id == WorkItem.responsible_user_id)


def read(stmt: sa.Select[Any]) -> sa.CursorResult[Any]:
    """Rows of cards through the session's connection, not its ORM layer (no entities: the rows are text and
    plain values, and the ORM's per-row handling was a tenth of a board). What this transaction changed and has
    not flushed is flushed first, as session.execute would."""
    db.session.flush()
    return db.session.connection().execute(stmt)


class CardMaker:
    """A card from its row: the database's JSON with the card's offers, as bytes to send (`as_json`) or a dict
    for a page.

    What the actor is offered (its moves and whether it may be reordered) is judged per combination of the facts
    the card rules read (the row's FACT_COLUMNS but the id), by item_rules through offers.of_card as the move
    itself is. A board of 5,000 cards has a few dozen to a few hundred such combinations, so the rules run that
    many times rather than 5,000. Cards of one combination share one offers dict (and its encoding): it is read
    and encoded, never changed."""

    def __init__(self, actor: User, fields: Sequence[str] = (), *, as_json: bool = False) -> None:
        self.actor = actor
        self.with_offers = not fields or "offers" in fields
        self.as_json = as_json
        self.offered: dict[Sequence[Any], tuple[dict[str, Any], bytes]] = {}
        self.evidence: evidence.Rules | None = None

    def _offers(self, item_id: int, status: str, unit_id: int, plan_id: int, task_id: int | None,
                template_id: int | None, parent_id: int | None, parent_unit_id: int | None, has_open_children: bool,
                submitted_by: int | None) -> tuple[dict[str, Any], bytes]:
        """The card's offers, judged on the facts of its row but its id (FACT_COLUMNS): every fact the card rules
        (item_rules: reorder, sign, submit, approve, return) read of a card, and nothing else. Its column and
        lead unit; the unit that split it, if it was split; whether a sub-item holds it back; who submitted it;
        and what its evidence rule is decided by."""
        def evidence_rule() -> Any:
            self.evidence = self.evidence or evidence.Rules()
            return self.evidence.of(plan_id=plan_id, task_id=task_id, template_id=template_id, parent_id=parent_id)
        # Only these facts: a rule reading any other fact of a card fails here (Facts.item) rather than being
        # answered from another card. The id is the first such card's: a held-back card's refusal names its open
        # sub-items, read by id; whether it refuses, all an offer says, is in the key.
        children: dict[str, Any] = {} if has_open_children else {"open_children": []}
        facts = Facts(id=item_id, status=ItemStatus(status), unit_id=unit_id, parent_id=parent_id,
                      cancelled=False, parent_unit_id=parent_unit_id, submitted_by=submitted_by,
                      evidence_of=evidence_rule, **children)
        offered = offers.of_card(self.actor, facts)
        return offered, b',"offers":' + orjson.dumps(offered) + b"}"

    def __call__(self, row: Sequence[Any]) -> Any:
        """The card of a row of card_select: its JSON as bytes (as_json) or a dict."""
        card = row[0].encode()
        if not self.with_offers:
            return card if self.as_json else orjson.loads(card)
        key = row[2:ROW_WIDTH]  # the facts but the id
        found = self.offered.get(key)
        if found is None:
            found = self.offered[key] = self._offers(*row[1:ROW_WIDTH])
        return card[:-1] + found[1] if self.as_json else orjson.loads(card) | {"offers": found[0]}
