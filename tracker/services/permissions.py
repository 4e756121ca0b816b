"""Who may see and change what. Every route, API or web, asks here.

The office sees and supervises everything; leaders read everything and change nothing but may write
instructions (批示). A unit (unit_admin, unit_member) sees the items its own unit or any unit below it in the
tree leads or cooperates on. On an item a unit is, by its place:
- the lead unit (牵头, `item.unit_id`): signs, reports, asks for more time, alone submits the whole;
- a cooperating unit (配合, a row of `item_units`): reports on its part and marks its part done;
- the supervisor of a child item (二次分解): the unit that leads the parent acts for the child as the office
  does (review, extension decisions, cancelling) through its unit_admin.
What a caller may not see is reported as not found, so ids of other units' items reveal nothing.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..errors import Invalid, NotAllowed, NotFound
from ..extensions import db
from ..models import ItemUnit, Role, Unit, User, WorkItem

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


def subtree_ids(unit_id: int) -> frozenset[int]:
    """The unit and every unit below it, at any depth (the unit tree is small: one query)."""
    children: dict[int | None, list[int]] = {}
    for uid, parent in db.session.execute(sa.select(Unit.id, Unit.parent_id)):
        children.setdefault(parent, []).append(uid)
    found, todo = {unit_id}, [unit_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return frozenset(found)


def is_below(unit_id: int, ancestor_id: int) -> bool:
    """True when `unit_id` lies strictly below `ancestor_id` in the unit tree."""
    return unit_id != ancestor_id and unit_id in subtree_ids(ancestor_id)


def subordinate_units(unit_id: int) -> list[Unit]:
    """The units strictly below a unit, the ones it may split its items among, in tree order by id."""
    below = subtree_ids(unit_id) - {unit_id}
    return list(db.session.scalars(sa.select(Unit).where(Unit.id.in_(below)).order_by(Unit.id)))


def visible_items_clause(actor: User) -> sa.ColumnElement[bool]:
    """Which items the actor sees, as a WHERE clause for lists, boards and figures."""
    if sees_everything(actor):
        return sa.true()
    units = sorted(subtree_ids(actor.unit_id))
    return sa.or_(WorkItem.unit_id.in_(units),
                  WorkItem.id.in_(sa.select(ItemUnit.item_id).where(ItemUnit.unit_id.in_(units))))


def can_see_item(actor: User, item: WorkItem) -> bool:
    if sees_everything(actor):
        return True
    units = subtree_ids(actor.unit_id)
    return item.unit_id in units or any(part.unit_id in units for part in item.cooperators)


def can_see_unit_figures(actor: User, unit_id: int) -> bool:
    """A unit's own figures (indicator reports): the office and leaders see every unit's, a unit its own and
    those of the units below it, as with items."""
    return sees_everything(actor) or unit_id in subtree_ids(actor.unit_id)


def is_office(actor: User) -> bool:
    return actor.role == Role.OFFICE_ADMIN


def is_unit(actor: User) -> bool:
    """A unit's own people: they sign, report, ask for more time and answer notices for their unit."""
    return actor.role in UNIT_ROLES


def is_read_only(actor: User) -> bool:
    return actor.role == Role.LEADER


def can_change(actor: User, item: WorkItem | Any) -> bool:
    """Moving a card (a card as a dict too): the office on every item, a unit on the items it leads."""
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


def is_lead(actor: User, item: WorkItem) -> bool:
    """The actor belongs to the item's lead unit (the office counts for items it leads itself)."""
    return actor.role != Role.LEADER and item.unit_id == actor.unit_id


def cooperation(actor: User, item: WorkItem) -> ItemUnit | None:
    """The actor's unit's part of the item when that unit cooperates on it."""
    if actor.role not in UNIT_ROLES:
        return None
    return next((part for part in item.cooperators if part.unit_id == actor.unit_id), None)


def supervises(actor: User, item: WorkItem) -> bool:
    """The office supervises every item; the lead unit of a parent item supervises its children (its admin)."""
    if actor.role == Role.OFFICE_ADMIN:
        return True
    return actor.role == Role.UNIT_ADMIN and item.parent is not None and item.parent.unit_id == actor.unit_id


def review_queue_clause(actor: User) -> sa.ColumnElement[bool]:
    """Whose review a submitted item waits for, as a WHERE clause: a township's part split from a district's item
    waits for that district (its admins); every other item for the office. The office may still decide a
    district's sub-item (it supervises all), but it is not the office's queue."""
    if actor.role == Role.OFFICE_ADMIN:
        return WorkItem.parent_id.is_(None)
    if actor.role == Role.UNIT_ADMIN:
        return WorkItem.parent_id.in_(sa.select(WorkItem.id).where(WorkItem.unit_id == actor.unit_id)
                                      .scalar_subquery())
    return sa.false()


def reviews_split_parts(actor: User) -> bool:
    """A unit admin whose unit has units below it reviews the parts it split to them (its own queue)."""
    return actor.role == Role.UNIT_ADMIN and bool(subtree_ids(actor.unit_id) - {actor.unit_id})


def require_not_read_only(actor: User) -> None:
    """Leaders read everything and change nothing; every change path asks this first."""
    if actor.role == Role.LEADER:
        raise NotAllowed("领导账号只能查看,不能修改", "Leaders have read-only access", code="read_only")


def require_open(item: WorkItem) -> None:
    """A cancelled item (撤销) is kept for the record and changes no more."""
    if item.cancelled_at is not None:
        raise Invalid("该工作项已撤销", "This item was cancelled", code="item_cancelled")


def require_may_change(actor: User, item: WorkItem) -> None:
    """Moving a card: the office, the lead unit, or the unit supervising a child item; leaders never. Who may
    is asked before what state the item is in: one who may not learns nothing of the workflow."""
    require_not_read_only(actor)
    if not (can_change(actor, item) or supervises(actor, item)):
        raise NotAllowed("只能办理本单位牵头的工作项", "You may only change items your unit leads")
    require_open(item)


def require_may_report(actor: User, item: WorkItem) -> None:
    """Progress, evidence and comments: the office, the lead unit and the cooperating units."""
    require_not_read_only(actor)
    if not (actor.role == Role.OFFICE_ADMIN or item.unit_id == actor.unit_id or cooperation(actor, item)):
        raise NotAllowed("只能办理本单位承担的工作项", "You may only report on items your unit carries")
    require_open(item)


def require_lead(actor: User, item: WorkItem, *, admin: bool = False) -> None:
    """Only the lead unit (its admin when `admin`): signing up a person, splitting, asking for more time."""
    require_not_read_only(actor)
    if actor.role not in UNIT_ROLES or item.unit_id != actor.unit_id:
        raise NotAllowed("只有牵头单位可以执行此操作", "Only the lead unit may do this", code="lead_only")
    if admin and actor.role != Role.UNIT_ADMIN:
        raise NotAllowed("只有牵头单位管理员可以执行此操作", "Only the lead unit's administrator may do this",
                         code="lead_admin_only")
    require_open(item)


def require_supervisor(actor: User, item: WorkItem) -> None:
    """Reviewing, deciding extensions, cancelling: the office, or the parent's lead unit for a child item."""
    require_not_read_only(actor)
    if not supervises(actor, item):
        raise NotAllowed("只有领导小组办公室或上级牵头单位可以执行此操作",
                         "Only the office, or the unit that split this item, may do this", code="supervisor_only")


def require_office(actor: User) -> None:
    if not is_office(actor):
        raise NotAllowed("仅领导小组办公室可以执行此操作", "Only the leading-group office may do this",
                         code="office_only")


def can_instruct(actor: User) -> bool:
    """Leaders, read-only for everything else, write instructions (批示) and raise 批示件."""
    return actor.role == Role.LEADER


def require_leader(actor: User) -> None:
    if not can_instruct(actor):
        raise NotAllowed("只有领导可以作出批示", "Only a leader may write an instruction", code="leader_only")
