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

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from ...errors import NotAllowed, NotFound
from ...extensions import db
from ...models import ItemUnit, Role, Unit, User, WorkItem
from ..plan.per_transaction import PerTransaction

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


def _read_unit_tree() -> dict[int | None, list[int]]:
    children: dict[int | None, list[int]] = {}
    for uid, parent in db.session.execute(sa.select(Unit.id, Unit.parent_id)):
        children.setdefault(parent, []).append(uid)
    return children


# The unit tree (each unit's children), read once per transaction: one item's read asked it up to four times
# (is it visible, its offers, may the unit comment, split); a unit written or waiting to be is read again.
_UNIT_TREE = PerTransaction("unit_tree", _read_unit_tree, made_of=(Unit,))


def subtree_ids(unit_id: int) -> frozenset[int]:
    """The unit and every unit below it, at any depth (the unit tree is small: one query a transaction)."""
    children = _UNIT_TREE.get()
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
    return bool(_UNIT_TREE.get().get(unit_id))


def subordinate_units(unit_id: int) -> list[Unit]:
    """The units strictly below a unit, the ones it may split its items among, in tree order by id."""
    below = subtree_ids(unit_id) - {unit_id}
    return list(db.session.scalars(sa.select(Unit).where(Unit.id.in_(below)).order_by(Unit.id)))


@dataclass(frozen=True)
class Sight:
    """Which items a person sees, as plain values: everything, or the items led by or shared with one of
    `units` (their unit and the units below it). The board's WHERE clause, the item check and the live stream
    (which must decide without a database connection while it waits) are all drawn from this one rule."""

    everything: bool
    units: frozenset[int]

    def sees_units(self, unit_ids: Iterable[int]) -> bool:
        """An item whose lead and cooperating units are `unit_ids`."""
        return self.everything or not self.units.isdisjoint(unit_ids)


def sight(actor: User) -> Sight:
    if sees_everything(actor):
        return Sight(True, frozenset())
    return Sight(False, subtree_ids(actor.unit_id))


def visible_items_clause(actor: User) -> sa.ColumnElement[bool]:
    """Which items the actor sees, as a WHERE clause for lists, boards and figures."""
    seen = sight(actor)
    if seen.everything:
        return sa.true()
    units = sorted(seen.units)
    return sa.or_(WorkItem.unit_id.in_(units),
                  WorkItem.id.in_(sa.select(ItemUnit.item_id).where(ItemUnit.unit_id.in_(units))))


def can_see_item(actor: User, item: WorkItem) -> bool:
    seen = sight(actor)  # for those who see everything, the cooperators are not loaded
    return seen.everything or seen.sees_units([item.unit_id, *(part.unit_id for part in item.cooperators)])


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
