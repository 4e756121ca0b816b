"""Who carries an item: its lead unit, its cooperating units and their parts, and the person responsible.

The lead unit (牵头) signs, reports and alone submits the whole; each cooperating unit (配合) reports on its part
and marks that part done with a note. The person responsible (责任人) is a user of the lead unit, named by the
unit's admin (or the office) with a contact phone.
"""
from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa

from ...errors import Invalid
from ...extensions import db
from ...models import ItemUnit, Unit, User, WorkItem
from ..plan import wording
from ..trust import audit, permissions
from . import item_news, item_rules
from .workflow import NOTE_LIMIT, check_version, flush_guarded, snapshot

PHONE = re.compile(r"^[0-9+\-() ]{3,32}$")


def add_cooperators(item: WorkItem, units: list[Unit]) -> None:
    """Attach cooperating units to a new item (the lead unit is never its own cooperator)."""
    for unit in units:
        if unit.id != item.unit_id and all(part.unit_id != unit.id for part in item.cooperators):
            item.cooperators.append(ItemUnit(unit_id=unit.id))


def mark_part_done(item: WorkItem, *, actor: User, note: str, now: datetime) -> ItemUnit:
    """A cooperating unit's admin marks its part done with a note. Once; not on done or cancelled items."""
    facts = item_rules.Facts.of(item)
    item_rules.require(actor, facts, "mark_part")
    part = facts.part_of(actor.unit_id)
    text = required_text(note, "note", "须填写完成情况说明", "A note on what was done is required")
    part.part_done_at, part.part_done_by_id, part.part_note = now, actor.id, text
    db.session.flush()
    audit.record(actor=actor, action="item.part_done", entity_type="work_item", entity_id=item.id,
                 item_id=item.id, after={"unit_id": part.unit_id, "note": text}, now=now)
    item_news.notify(unit_ids=[item.unit_id], item=item, kind="part_done",
                   text=f"配合单位已完成其承担部分:{text}", actor=actor, now=now)
    return part


def set_responsible(item: WorkItem, *, actor: User, user_id: int | None, phone: str | None,
                    expected_version: int, now: datetime) -> WorkItem:
    """Name the person responsible (a user of the lead unit) and a contact phone; the lead unit's admin or the
    office may, and every change is audited."""
    item_rules.require(actor, item, "name_person")
    check_version(item, expected_version)
    person = None
    if user_id is not None:
        person = db.session.get(User, user_id)
        if person is None or person.unit_id != item.unit_id or not person.is_enabled:
            raise Invalid("责任人须为牵头单位的在用账号", "The person responsible must be an active user of the lead "
                          "unit", code="responsible_not_in_unit", fields={"responsible_user_id": ["不属于牵头单位"]})
    phone = (phone or "").strip() or None
    if phone is not None and not PHONE.match(phone):
        raise Invalid("联系电话格式不正确(数字、+、-、括号、空格,3 至 32 位)", "The contact phone is not valid",
                      code="phone_invalid", fields={"contact_phone": ["格式不正确"]})
    before = snapshot(item)
    item.responsible_user_id, item.contact_phone = (person.id if person else None), phone
    if snapshot(item) == before:
        return item
    item.updated_at = now
    flush_guarded()
    audit.record(actor=actor, action="item.responsible", entity_type="work_item", entity_id=item.id,
                 item_id=item.id, before=before, after=snapshot(item), now=now)
    return item


def set_units(item: WorkItem, *, actor: User, lead: Unit, cooperating: list[Unit], expected_version: int,
              now: datetime) -> WorkItem:
    """The office (or, for a child item, its supervisor) changes the lead and cooperating units. A new lead
    unit starts without a person responsible (the old one belonged to the old unit); parts already marked done
    by units that stay are kept. The units involved are notified."""
    item_rules.require(actor, item, "set_units")
    check_version(item, expected_version)
    if item.parent is not None and not permissions.is_below(lead.id, item.parent.unit_id):
        raise Invalid("下级分解事项的牵头单位须为上级牵头单位的下属单位", "A sub-item's lead unit must be below the "
                      "parent's lead unit", code="unit_not_subordinate", fields={"lead_unit_id": ["不是下属单位"]})
    _require_within_own_tree(actor, cooperating)
    if lead.id != item.unit_id:
        _require_no_twin(item, lead)
    before = snapshot(item)
    old_units = set(item_news.carrying_units(item))
    if lead.id != item.unit_id:
        item.unit_id, item.responsible_user_id, item.contact_phone = lead.id, None, None
    wanted = {unit.id for unit in cooperating} - {lead.id}
    for part in list(item.cooperators):
        if part.unit_id not in wanted:
            item.cooperators.remove(part)
    add_cooperators(item, [unit for unit in cooperating if unit.id in wanted])
    db.session.flush()
    if snapshot(item) == before:
        return item
    item.updated_at = now
    flush_guarded()
    audit.record(actor=actor, action="item.units", entity_type="work_item", entity_id=item.id, item_id=item.id,
                 before=before, after=snapshot(item), now=now)
    item_news.notify(unit_ids=old_units | set(item_news.carrying_units(item)), item=item, kind="units_changed",
                   text=f"“{wording.title(item)}”的牵头或配合单位已调整", actor=actor, now=now)
    return item


def _require_no_twin(item: WorkItem, lead: Unit) -> None:
    """A plan item (one of a task's template's items) cannot go to a unit that already carries that template's item
    for the same occurrence: the unit would hold the one duty twice (the database's unique key refused it as a 500)."""
    if item.template_id is None:
        return
    twin = db.session.execute(sa.select(WorkItem.id).where(
        WorkItem.template_id == item.template_id, WorkItem.unit_id == lead.id,
        WorkItem.recurrence_key == item.recurrence_key)).scalar()
    if twin is not None:
        raise Invalid(f"{lead.short_name}已承担该任务的同一工作项(编号 {twin}),不能再作为牵头单位",
                      f"{lead.short_name} already carries this task's item (id {twin})", code="unit_already_carries",
                      fields={"lead_unit_id": ["该单位已承担同一工作项"]})


def _require_within_own_tree(actor: User, cooperating: list[Unit]) -> None:
    """A supervising unit that is not the office (a county on the items it split) names cooperating units only
    below itself: it cannot give another county, or the office, access to its items."""
    if permissions.is_office(actor):
        return
    outside = [unit for unit in cooperating if not permissions.is_below(unit.id, actor.unit_id)]
    if outside:
        names = "、".join(unit.short_name for unit in outside)
        raise Invalid(f"配合单位须为本单位的下属单位:{names} 不是", f"Cooperating units must be below your unit: "
                      f"{', '.join(unit.short_name for unit in outside)} are not", code="unit_not_subordinate",
                      fields={"cooperating_unit_ids": [f"{unit.short_name}:不是下属单位" for unit in outside]})


def unit_users(unit_id: int) -> list[User]:
    """The enabled users of a unit, the choices for the person responsible."""
    return list(db.session.scalars(sa.select(User).where(User.unit_id == unit_id, User.is_enabled.is_(True))
                                   .order_by(User.display_name, User.id)))


def required_text(text: str | None, field: str, zh: str, en: str) -> str:
    """A stripped, bounded, non-empty note or reason, refused per field otherwise."""
    value = (text or "").strip()
    if not value:
        raise Invalid(zh, en, code="note_required", fields={field: ["必填"]})
    if len(value) > NOTE_LIMIT:
        raise Invalid(f"不能超过 {NOTE_LIMIT} 字", f"At most {NOTE_LIMIT} characters", fields={field: ["过长"]})
    return value

