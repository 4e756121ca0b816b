"""Who may see and change what. Every route, API or web, asks here.

Units (unit_admin, unit_member) see and act on their own unit's items only; the office sees and supervises
all; leaders read everything and change nothing. What a caller may not see is reported as not found, so ids
of other units' items reveal nothing.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..errors import NotAllowed, NotFound
from ..models import Role, User, WorkItem

ROLE_LABELS = {
    Role.OFFICE_ADMIN: ("领导小组办公室", "Office"),
    Role.LEADER: ("领导(只读)", "Leader (read-only)"),
    Role.UNIT_ADMIN: ("单位管理员", "Unit administrator"),
    Role.UNIT_MEMBER: ("单位经办人", "Unit member"),
}
UNIT_ROLES = frozenset({Role.UNIT_ADMIN, Role.UNIT_MEMBER})
READ_ALL_ROLES = frozenset({Role.OFFICE_ADMIN, Role.LEADER})


def sees_everything(actor: User) -> bool:
    return actor.role in READ_ALL_ROLES


def can_see_item(actor: User, item: WorkItem) -> bool:
    return sees_everything(actor) or item.unit_id == actor.unit_id


def visible_items_clause(actor: User) -> sa.ColumnElement[bool]:
    """The same rule as can_see_item, as a WHERE clause for lists and boards."""
    if sees_everything(actor):
        return sa.true()
    return WorkItem.unit_id == actor.unit_id


def is_office(actor: User) -> bool:
    return actor.role == Role.OFFICE_ADMIN


def is_unit(actor: User) -> bool:
    """A unit's own people: they sign, report, ask for more time and answer notices for their unit."""
    return actor.role in UNIT_ROLES


def is_read_only(actor: User) -> bool:
    return actor.role == Role.LEADER


def can_change(actor: User, item: WorkItem | Any) -> bool:
    """Any change to an item (a card as a dict too): the office on every item, a unit on its own."""
    unit_id = item["unit_id"] if isinstance(item, dict) else item.unit_id
    return is_office(actor) or (is_unit(actor) and unit_id == actor.unit_id)


def can_answer(actor: User, record: Any) -> bool:
    """Only the unit a record is addressed to answers it, only while it is open, and only a 督办 (a record with
    an answer date): 提醒, 催办 and 通报 are notices, read rather than answered."""
    return (is_unit(actor) and actor.unit_id == record.unit_id and record.status == "open"
            and record.answer_due is not None)


def require_visible(actor: User, item: WorkItem | None) -> WorkItem:
    if item is None or not can_see_item(actor, item):
        raise NotFound("工作项不存在或无权查看", "Work item not found", code="item_not_found")
    return item


def require_not_read_only(actor: User) -> None:
    """Leaders read everything and change nothing; every change path asks this first."""
    if actor.role == Role.LEADER:
        raise NotAllowed("领导账号只能查看,不能修改", "Leaders have read-only access", code="read_only")


def require_may_change(actor: User, item: WorkItem) -> None:
    """Any change at all: the office on every item, a unit on its own; leaders never."""
    require_not_read_only(actor)
    if not can_change(actor, item):
        raise NotAllowed("只能办理本单位的工作项", "You may only change your own unit's items")


def require_office(actor: User) -> None:
    if not is_office(actor):
        raise NotAllowed("仅领导小组办公室可以执行此操作", "Only the leading-group office may do this",
                         code="office_only")
