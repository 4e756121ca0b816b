"""Who may see and change what. Every route, API or web, asks here.

The office sees and supervises everything; leaders read everything and change nothing but may write
instructions (批示). A unit (unit_admin, unit_member) sees the items its own unit or any unit below it in the
tree leads or cooperates on. On an item a unit is, by its place:
- the lead unit (牵头, `item.unit_id`): signs, reports, asks for more time, alone submits the whole;
- a cooperating unit (配合, a row of `item_units`): reports on its part and marks its part done;
- the supervisor of a child item (二次分解): the unit that leads the parent acts for the child as the office
  does (review, extension decisions, cancelling) through its unit_admin.
What a caller may not see is reported as not found, so ids of other units' items reveal nothing. What each
place may do with an item, and when, is item_rules'.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...errors import NotAllowed, NotFound
from ...extensions import db
from ...models import ItemUnit, Role, Unit, User, WorkItem

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


_TREE_KEY = "tracker_unit_tree"
_UNIT_TREE = sa.select(Unit.id, Unit.parent_id)


def _unit_children() -> dict[int | None, list[int]]:
    """The unit tree (each unit's children), read once per transaction: one item's read asked it up to four
    times (is it visible, are its offers, may the unit comment, split). A unit changed and not yet flushed, any
    flush and the end of the transaction forget it, so a change to the units is seen by the next question as
    the query's autoflush saw it before."""
    session = db.session()
    children: dict[int | None, list[int]] | None = session.info.get(_TREE_KEY)
    if children is None or any(isinstance(unsaved, Unit)
                               for unsaved in (*session.new, *session.dirty, *session.deleted)):
        children = {}
        for uid, parent in db.session.execute(_UNIT_TREE):
            children.setdefault(parent, []).append(uid)
        session.info[_TREE_KEY] = children
    return children


@sa.event.listens_for(Session, "after_flush")
@sa.event.listens_for(Session, "after_transaction_end")
def _forget_unit_tree(session: Session, *_args: Any) -> None:
    session.info.pop(_TREE_KEY, None)


def subtree_ids(unit_id: int) -> frozenset[int]:
    """The unit and every unit below it, at any depth (the unit tree is small: one query a transaction)."""
    children = _unit_children()
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


def has_subordinates(unit_id: int) -> bool:
    """Whether any unit lies below the unit (it may split its items)."""
    return bool(_unit_children().get(unit_id))


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


def require_visible(actor: User, item: WorkItem | None) -> WorkItem:
    if item is None or not can_see_item(actor, item):
        raise NotFound("工作项不存在或无权查看", "Work item not found", code="item_not_found")
    return item


def supervises_unit(actor: User, splitting_unit_id: int | None) -> bool:
    """Who supervises an item: the office every item; the unit that split it (`splitting_unit_id`, the lead
    unit of its parent; None for an item not split from another) through its admin, as the office does."""
    if actor.role == Role.OFFICE_ADMIN:
        return True
    return actor.role == Role.UNIT_ADMIN and splitting_unit_id is not None and splitting_unit_id == actor.unit_id


def read_only_refusal(actor: User) -> NotAllowed | None:
    """Leaders read everything and change nothing; every change path asks this first."""
    if actor.role == Role.LEADER:
        return NotAllowed("领导账号只能查看,不能修改", "Leaders have read-only access", code="read_only")
    return None


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
    refusal = read_only_refusal(actor)
    if refusal is not None:
        raise refusal


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
