"""Duties "within N days of an event" (e.g. feedback within 60 days of receiving a 行政复议意见书).

Their templates create no item when the plan is loaded; an item appears when the event is entered, due N days
after the day of the event. Each event gives its own item (a unit may receive several opinions), keyed
`event:<date>:<n>` so that entering a second event on the same day is a second duty, not a clash.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from ... import limits
from ...errors import Invalid, NotAllowed, NotFound
from ...extensions import db
from ...models import ItemStatus, ItemTemplate, Phase, Plan, Role, Task, Unit, User, WorkItem
from ..trust import audit
from .deadlines import local_today
from ..plan.seeding import carriers_of
from ..plan.phases import phase_on
from .workflow import bottom_position, snapshot

LABEL_LIMIT = limits.EVENT_LABEL


def event_templates(plan_id: int) -> list[ItemTemplate]:
    """The plan's templates whose items count from an event."""
    found = db.session.scalars(sa.select(ItemTemplate).join(Task).where(Task.plan_id == plan_id)
                               .order_by(Task.number, ItemTemplate.id))
    return [t for t in found if t.due_rule.get("after_event")]


def template_by_key(key: str) -> ItemTemplate:
    """A template by its key; NotFound if none, Invalid if two tasks use the same key (then use 'task/key')."""
    number, _, bare = key.rpartition("/")
    query = sa.select(ItemTemplate).join(Task).where(ItemTemplate.key == bare)
    if number:
        if not number.isdigit():
            raise Invalid(f"模板应写作 任务序号/模板 key,收到 “{key}”", f"Use TASK/KEY, not {key!r}")
        query = query.where(Task.number == int(number))
    found = list(db.session.scalars(query))
    if not found:
        raise NotFound(f"模板 “{key}” 不存在", f"No template {key!r}", code="template_not_found")
    if len(found) > 1:
        raise Invalid(f"多个任务有模板 “{key}”,请写作 任务序号/{key}", f"Ambiguous template {key!r}; use TASK/KEY")
    return found[0]


def enter_event(*, template: ItemTemplate, unit: Unit, event_date: date, label: str, actor: User | None,
                now: datetime) -> WorkItem:
    """Create the item an event calls for, due `days` after it. Office, or the unit's own administrator.

    `actor` None is the system (the CLI run by an operator). Raises Invalid for a template that is not
    event-driven, a unit that does not carry it, an event in the future or before the plan, or an empty label.
    """
    rule = template.due_rule.get("after_event")
    if not rule:
        raise Invalid("该模板不是“事件后 N 日内”类事项", "This template does not count from an event",
                      code="not_event_template", fields={"template": ["不是事件驱动的模板"]})
    _check_actor(actor, unit)
    plan = template.task.plan
    label = label.strip()
    if not label or len(label) > LABEL_LIMIT:
        raise Invalid(f"请填写事件说明(不超过 {LABEL_LIMIT} 字)", f"Describe the event (at most {LABEL_LIMIT} characters)",
                      fields={"label": ["必填,不超过 200 字"]})
    if unit.id not in {u.id for u in carriers_of(template.carriers, _units_by_key())}:
        raise Invalid(f"{unit.name}不是该事项的承办单位", "That unit does not carry this duty",
                      fields={"unit": ["不是承办单位"]})
    today = local_today(now, plan.timezone)
    if event_date > today:
        raise Invalid("事件日期不能晚于今天", "The event cannot be in the future", fields={"event_date": ["晚于今天"]})
    if not plan.start_date <= event_date <= plan.end_date:
        raise Invalid(f"事件日期须在计划起止日期 {plan.start_date} 至 {plan.end_date} 之内",
                      "The event must fall within the plan", fields={"event_date": ["超出计划起止日期"]})
    due = event_date + timedelta(days=int(rule["days"]))
    item = WorkItem(plan_id=plan.id, task_id=template.task_id, template_id=template.id, unit_id=unit.id,
                    recurrence_key=_next_key(template, unit, event_date), title=template.title,
                    description=template.description, priority=template.priority, due_date=due,
                    original_due_date=due, event_date=event_date, event_label=label,
                    phase_id=_phase_for(template, plan, event_date).id, status=ItemStatus.ASSIGNED,
                    position=bottom_position(plan.id, ItemStatus.ASSIGNED),
                    created_by_id=actor.id if actor else None, created_at=now, updated_at=now)
    db.session.add(item)
    db.session.flush()
    audit.record(actor=actor, actor_label="cli" if actor is None else None, action="item.event",
                 entity_type="work_item", entity_id=item.id, item_id=item.id,
                 after=snapshot(item) | {"event_date": event_date, "event_label": label}, now=now)
    return item


def _check_actor(actor: User | None, unit: Unit) -> None:
    if actor is None or actor.role == Role.OFFICE_ADMIN:
        return
    if actor.role == Role.UNIT_ADMIN and actor.unit_id == unit.id:
        return
    raise NotAllowed("只有办公室或本单位管理员可以登记事件", "Only the office or the unit's administrator may do this")


def _units_by_key() -> dict[str, Unit]:
    return {u.key: u for u in db.session.scalars(sa.select(Unit))}


def _next_key(template: ItemTemplate, unit: Unit, event_date: date) -> str:
    prefix = f"event:{event_date.isoformat()}:"
    taken = db.session.execute(sa.select(sa.func.count()).where(
        WorkItem.template_id == template.id, WorkItem.unit_id == unit.id,
        WorkItem.recurrence_key.startswith(prefix))).scalar_one()
    return f"{prefix}{taken + 1}"


def _phase_for(template: ItemTemplate, plan: Plan, day: date) -> Phase:
    """The template's phase if it names one, else the phase the event falls in."""
    if template.phase_id is not None:
        phase = db.session.get(Phase, template.phase_id)
        assert phase is not None
        return phase
    return phase_on(plan, day)
