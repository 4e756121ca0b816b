"""我的待办: what waits for the signed-in person, in sections, each with its count and its first entries.

A unit: leaders' 批示 on its items not yet acknowledged (read), items to sign, items returned (saying who
returned them: the office, or the district for a part it split), 督办 to answer (with the deadline), extension
decisions of the last two weeks, its contests (异议) waiting or decided in the last two weeks, items due within the
warning window; a district also the parts it split waiting for its review. The office: items to review, extension
requests, contests to decide, answered records to close (待核销), units whose 督办 went unanswered. Leaders have no to-do list: they change nothing.
Every section is one query over what the person may see; the entries link to the item.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import (
    AccountabilityRecord,
    ContestStatus,
    ExtensionRequest,
    ExtensionStatus,
    ItemContest,
    ItemStatus,
    Notification,
    RecordStatus,
    Role,
    Unit,
    User,
    WorkItem,
)
from . import notifications
from ..plan import wording
from ..trust import permissions
from ..work.deadlines import local_today
from ..work.workflow import returned_by

SHOWN = 10
DECISIONS_FOR = timedelta(days=14)


@dataclass(frozen=True)
class Entry:
    item_id: int | None
    title: str
    unit_name: str
    deadline: date | None = None
    note: str = ""
    record_id: int | None = None
    unit_id: int | None = None
    notification_id: int | None = None  # acknowledged by opening it (a 批示 the unit has not yet read)
    contest_id: int | None = None  # a contest (异议) the office decides from the list
    proposed_unit_id: int | None = None  # the unit the contest names instead
    version: int | None = None  # the item's version, which a decision from the list sends


@dataclass
class Section:
    key: str
    label: str
    count: int = 0
    entries: list[Entry] = field(default_factory=list)


def todo(*, actor: User, now: datetime, timezone: str, soon_days: int = 7, shown: int | None = SHOWN
         ) -> list[Section]:
    """The actor's sections, in the order they should be dealt with; empty for leaders. Each lists its first
    `shown` entries (all of them with None: the page of one section, where "and 36 more" leads)."""
    today = local_today(now, timezone)
    if actor.role == Role.OFFICE_ADMIN:
        return _office(actor, today, shown)
    if actor.role in permissions.UNIT_ROLES:
        return _unit(actor, today, now, soon_days, shown)
    return []


def section(key: str, *, actor: User, now: datetime, timezone: str, soon_days: int = 7) -> Section | None:
    """One section of the actor's list with every entry, or None when the actor has no such section."""
    found = [s for s in todo(actor=actor, now=now, timezone=timezone, soon_days=soon_days, shown=None)
             if s.key == key]
    return found[0] if found else None


def _items(label: str, key: str, where: list[sa.ColumnElement[bool]], order: Any, shown: int | None) -> Section:
    query = (sa.select(WorkItem.id, wording.title_column(), Unit.short_name, WorkItem.due_date,
                       WorkItem.last_return_reason)
             .join(Unit, Unit.id == WorkItem.unit_id).where(*where))
    count = db.session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(query.order_by(order, WorkItem.id).limit(shown)).all()
    if key != "returned":
        return Section(key, label, count, [Entry(i, t, u, deadline=d) for i, t, u, d, _reason in rows])
    by = returned_by([row[0] for row in rows])  # the office, or the district for a part it split
    return Section(key, label, count, [Entry(i, t, u, deadline=d, note=f"{by[i]}退回:{r}" if i in by else r or "")
                                       for i, t, u, d, r in rows])


def _records(label: str, key: str, where: list[sa.ColumnElement[bool]], deadline: Any, shown: int | None
             ) -> Section:
    query = (sa.select(AccountabilityRecord.id, AccountabilityRecord.item_id, wording.title_column(), Unit.short_name,
                       deadline, AccountabilityRecord.level_name, AccountabilityRecord.answer_text)
             .join(WorkItem, WorkItem.id == AccountabilityRecord.item_id)
             .join(Unit, Unit.id == AccountabilityRecord.unit_id).where(*where))
    count = db.session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(query.order_by(deadline, AccountabilityRecord.id).limit(shown)).all()
    return Section(key, label, count, [Entry(i, t, u, deadline=d, note=answer or name, record_id=rid)
                                       for rid, i, t, u, d, name, answer in rows])


def _unit(actor: User, today: date, now: datetime, soon_days: int, shown: int | None) -> list[Section]:
    unit_id = actor.unit_id
    mine = WorkItem.unit_id == unit_id
    active = WorkItem.status.in_([ItemStatus.ASSIGNED, ItemStatus.IN_PROGRESS])
    decided = (sa.select(ExtensionRequest.item_id, wording.title_column(), Unit.short_name,
                         ExtensionRequest.requested_due,
                         ExtensionRequest.status, ExtensionRequest.decision_note)
               .join(WorkItem, WorkItem.id == ExtensionRequest.item_id).join(Unit, Unit.id == WorkItem.unit_id)
               .where(mine, ExtensionRequest.status != ExtensionStatus.PENDING,
                      ExtensionRequest.decided_at >= now - DECISIONS_FOR))
    decisions = db.session.execute(decided.order_by(ExtensionRequest.decided_at.desc()).limit(shown)).all()
    extension_section = Section("extension_decisions", "延期审批结果", len(decisions), [
        Entry(i, t, u, deadline=due if s == ExtensionStatus.GRANTED else None,
              note="同意" if s == ExtensionStatus.GRANTED else f"不同意:{n or ''}")
        for i, t, u, due, s, n in decisions])
    review = ([_items("待审核", "to_review", [WorkItem.status == ItemStatus.SUBMITTED,
                                              permissions.review_queue_clause(actor)], WorkItem.submitted_at, shown)]
              if permissions.reviews_split_parts(actor) else [])
    return [
        _instructions(unit_id, shown),
        *review,
        _records("待答复督办", "to_answer", [AccountabilityRecord.unit_id == unit_id,
                                            AccountabilityRecord.status == RecordStatus.OPEN,
                                            AccountabilityRecord.answer_due.is_not(None)],
                 AccountabilityRecord.answer_due, shown),
        _items("被退回", "returned", [mine, WorkItem.status == ItemStatus.IN_PROGRESS,
                                    WorkItem.last_return_reason.is_not(None)], WorkItem.due_date, shown),
        _items("待签收", "to_sign", [mine, WorkItem.status == ItemStatus.ASSIGNED], WorkItem.due_date, shown),
        extension_section,
        _contests("本单位的异议", "my_contests", [ItemContest.unit_id == unit_id, sa.or_(
            ItemContest.status == ContestStatus.PENDING, ItemContest.decided_at >= now - DECISIONS_FOR)], shown),
        _items(f"{soon_days} 天内到期", "due_soon", [mine, active, WorkItem.due_date >= today,
                                                WorkItem.due_date <= today + timedelta(days=soon_days)],
               WorkItem.due_date, shown),
    ]


def _contests(label: str, key: str, where: list[sa.ColumnElement[bool]], shown: int | None) -> Section:
    """Contests (退办 / 异议), the oldest first: each with the contesting unit, its reason and, once decided, the
    decision."""
    contesting = sa.orm.aliased(Unit)
    query = (sa.select(ItemContest.item_id, wording.title_column(), Unit.short_name, contesting.short_name,
                       ItemContest.reason, ItemContest.status, ItemContest.decision_note, ItemContest.id,
                       ItemContest.proposed_unit_id, WorkItem.version)
             .join(WorkItem, WorkItem.id == ItemContest.item_id).join(Unit, Unit.id == WorkItem.unit_id)
             .join(contesting, contesting.id == ItemContest.unit_id).where(*where))
    count = db.session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(query.order_by(ItemContest.raised_at, ItemContest.id).limit(shown)).all()
    words = {ContestStatus.PENDING: "待办公室处理", ContestStatus.UPHELD: "异议成立,已重新交办",
             ContestStatus.REJECTED: "异议不成立"}
    return Section(key, label, count, [
        Entry(i, t, u, note=f"{by}:{reason}" if status == ContestStatus.PENDING
              else f"{words[ContestStatus(status)]}:{decided or ''}", contest_id=cid,
              proposed_unit_id=proposed, version=version)
        for i, t, u, by, reason, status, decided, cid, proposed, version in rows])


def _instructions(unit_id: int, shown: int | None) -> Section:
    """Leaders' 批示 on the unit's items that no one of the unit has read yet: they stay here until acknowledged."""
    query = (sa.select(Notification.id, Notification.item_id, wording.title_column(), Unit.short_name,
                       Notification.text)
             .join(WorkItem, WorkItem.id == Notification.item_id).join(Unit, Unit.id == WorkItem.unit_id)
             .where(Notification.unit_id == unit_id, Notification.kind == notifications.INSTRUCTION,
                    Notification.read_at.is_(None)))
    count = db.session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(query.order_by(Notification.id.desc()).limit(shown)).all()
    return Section("instructions", "领导批示待阅知", count,
                   [Entry(i, t, u, note=text, notification_id=n) for n, i, t, u, text in rows])


def _office(actor: User, today: date, shown: int | None) -> list[Section]:
    pending = (sa.select(ExtensionRequest.item_id, wording.title_column(), Unit.short_name,
                         ExtensionRequest.requested_due,
                         ExtensionRequest.reason)
               .join(WorkItem, WorkItem.id == ExtensionRequest.item_id).join(Unit, Unit.id == WorkItem.unit_id)
               .where(ExtensionRequest.status == ExtensionStatus.PENDING))
    waiting = db.session.execute(pending.order_by(ExtensionRequest.requested_at).limit(shown)).all()
    count = db.session.execute(sa.select(sa.func.count()).select_from(pending.subquery())).scalar_one()
    late = (sa.select(Unit.id, Unit.short_name, sa.func.count(), sa.func.min(AccountabilityRecord.answer_due))
            .join(Unit, Unit.id == AccountabilityRecord.unit_id)
            .where(AccountabilityRecord.status == RecordStatus.OPEN, AccountabilityRecord.answer_due < today)
            .group_by(Unit.id, Unit.short_name))
    late_rows = db.session.execute(late.order_by(sa.func.count().desc(), Unit.short_name)).all()
    return [
        _items("待审核", "to_review", [WorkItem.status == ItemStatus.SUBMITTED, permissions.review_queue_clause(actor)],
               WorkItem.submitted_at, shown),
        Section("extension_requests", "延期申请", count, [Entry(i, t, u, deadline=d, note=r)
                                                       for i, t, u, d, r in waiting]),
        _contests("待处理的异议", "contests", [ItemContest.status == ContestStatus.PENDING], shown),
        _records("待核销", "to_close", [AccountabilityRecord.status == RecordStatus.ANSWERED],
                 AccountabilityRecord.remedy_date, shown),
        Section("unanswered_units", "督办逾期未答复的单位", len(late_rows), [
            Entry(None, "", unit, deadline=first, note=f"{n} 件督办逾期未答复", unit_id=unit_id)
            for unit_id, unit, n, first in late_rows[:shown]]),
    ]
