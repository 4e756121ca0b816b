"""The workflow of a card: its transitions and the one move function every caller uses.

assigned 待签收 → in_progress 进行中 → submitted 待审核 → done 已办结, and submitted → in_progress as a return
with a reason. Who may make each transition, and when, is the transition's rule in item_rules (the lead unit
signs and submits; the supervisor, the office or for a child item (二次分解) the unit that split it, approves or
returns; no one approves what they submitted themselves; a parent waits for its open children).
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from ... import limits
from ...errors import Invalid, InvalidTransition, NotFound, StaleVersion
from ...extensions import db
from ...models import Event, ItemStatus, ProgressUpdate, Unit, User, WorkItem
from ..ledger import escalation, notifications, records
from ..plan import wording
from ..trust import audit, permissions
from . import item_rules, progress
from .evidence import require_for_submission
from .item_rules import STATUS_WORDS as STATUS_LABELS
from .ordering import position_between, renumbered


@dataclass(frozen=True)
class Transition:
    action: str  # its rule in item_rules.RULES
    source: ItemStatus
    target: ItemStatus
    note: str | None = None  # "report" (closing report) or "reason" (why it is returned), required when set


TRANSITIONS: tuple[Transition, ...] = (
    Transition("sign", ItemStatus.ASSIGNED, ItemStatus.IN_PROGRESS),
    Transition("submit", ItemStatus.IN_PROGRESS, ItemStatus.SUBMITTED, note="report"),
    Transition("approve", ItemStatus.SUBMITTED, ItemStatus.DONE),
    Transition("return", ItemStatus.SUBMITTED, ItemStatus.IN_PROGRESS, note="reason"),
)


@dataclass(frozen=True)
class Evidence:
    """Files sent with a submission and where they are stored."""

    files: list[progress.Upload]
    storage: progress.Storage


# What the office's review decides, by the word a form or a program sends: the only two answers there are.
REVIEW_DECISIONS: dict[str, ItemStatus] = {"approve": ItemStatus.DONE, "return": ItemStatus.IN_PROGRESS}

_BY_STATES = {(t.source, t.target): t for t in TRANSITIONS}

NOTE_LIMIT = limits.NOTE


def transition_for(source: ItemStatus, target: ItemStatus) -> Transition | None:
    return _BY_STATES.get((source, target))


def check_transition(actor: User, item: WorkItem | item_rules.Facts, target: ItemStatus) -> Transition | None:
    """The transition to make (None for a move within the column), or the refusal as an error. The caller has
    asked whether the actor may move the card at all (item_rules.move_card) before the column is looked at."""
    facts = item if isinstance(item, item_rules.Facts) else item_rules.Facts.of(item)
    if target == facts.status:
        return None
    transition = transition_for(facts.status, target)
    if transition is None:
        src, dst = STATUS_LABELS[facts.status], STATUS_LABELS[target]
        raise InvalidTransition(f"不能从“{src[0]}”直接移到“{dst[0]}”",
                                f"An item cannot go from {src[1]} to {dst[1]}")
    item_rules.require(actor, facts, transition.action)
    return transition


def check_version(item: WorkItem, expected_version: int) -> None:
    if expected_version != item.version:
        raise StaleVersion(
            f"该工作项已被他人修改(当前版本 {item.version},提交的版本 {expected_version}),请刷新后重试",
            f"The item was changed meanwhile (version {item.version}, you sent {expected_version}); reload",
            fields={"version": item.version},
        )


def snapshot(item: WorkItem) -> dict[str, Any]:
    """The fields an audit event records before and after a change."""
    return audit.jsonable({
        "status": item.status, "position": item.position, "version": item.version, "title": item.title,
        "description": item.description, "priority": item.priority, "due_date": item.due_date,
        "original_due_date": item.original_due_date, "unit_id": item.unit_id,
        "responsible_user_id": item.responsible_user_id, "contact_phone": item.contact_phone,
        "cooperating_unit_ids": [part.unit_id for part in item.cooperators], "cancel_reason": item.cancel_reason,
        "source": item.source, "source_ref": item.source_ref,
    })


def move(item: WorkItem, *, actor: User, to: ItemStatus, expected_version: int, now: datetime,
         before_id: int | None = None, after_id: int | None = None, note: str | None = None,
         evidence: Evidence | None = None) -> WorkItem:
    """Change an item's column and/or its place in the column, in one audited step. A submission carries its
    closing report (`note`) and may carry evidence files, stored on that one report.

    Raises what the move's rule refuses (item_rules: NotAllowed 403 first, then the item's state, 422),
    StaleVersion (409), InvalidTransition (422), Invalid (422: a missing reason or report, evidence on anything
    but a submission, a submission without the evidence its plan requires, or an anchor card in another column),
    NotFound (an anchor card the actor may not see).
    """
    facts = item_rules.Facts.of(item)
    item_rules.require(actor, facts, "reorder")
    check_version(item, expected_version)
    transition = check_transition(actor, facts, to)
    sent = evidence.files if evidence else []
    if sent and (transition is None or transition.action != "submit"):
        raise Invalid("佐证材料只能随进展或办结申请提交", "Evidence goes with a progress update or a submission",
                      code="evidence_not_expected", fields={"files": ["只能随办结申请提交"]})
    note = _required_note(transition, note)
    if transition and transition.action == "submit":
        require_for_submission(item, sent)
    before = snapshot(item)
    new_position = _position_in_column(item, actor=actor, status=to, before_id=before_id, after_id=after_id)
    item.status = to
    item.position = new_position
    item.updated_at = now
    files: list[dict[str, str]] = []
    if transition is not None:
        files = _apply_transition_effects(item, transition, actor=actor, note=note, evidence=evidence, now=now)
    flush_guarded()
    audit.record(actor=actor, action=f"item.{transition.action if transition else 'reorder'}",
                 entity_type="work_item", entity_id=item.id, item_id=item.id, before=before,
                 after=snapshot(item) | ({"note": note} if note else {}) | ({"files": files} if files else {}),
                 now=now)
    return item


def review(item: WorkItem, *, actor: User, decision: str, expected_version: int, now: datetime,
           reason: str | None = None) -> WorkItem:
    """The supervisor's review of a submitted item: approve, or return with a reason. Any other word is refused,
    never taken for either. Who may review is asked before the item's state, so a leader hears 403 whatever the
    item's column."""
    item_rules.require(actor, item, "return")
    if decision not in REVIEW_DECISIONS:
        raise Invalid("审核结论只能是“通过”或“退回”", "A review either approves or returns",
                      code="unknown_decision", fields={"decision": ["须为 approve 或 return"]})
    return move(item, actor=actor, to=REVIEW_DECISIONS[decision], expected_version=expected_version, now=now,
                note=reason)


def _required_note(transition: Transition | None, note: str | None) -> str | None:
    if transition is None or transition.note is None:
        return note.strip() if note and note.strip() else None
    text = (note or "").strip()
    if not text:
        if transition.note == "reason":
            raise Invalid("退回必须说明理由", "A return needs a reason", code="reason_required",
                          fields={"reason": ["退回必须说明理由"]})
        raise Invalid("提交办结申请必须填写办结报告", "Submitting needs a closing report",
                      code="report_required", fields={"report": ["提交办结申请必须填写办结报告"]})
    if len(text) > NOTE_LIMIT:
        raise Invalid(f"说明不能超过 {NOTE_LIMIT} 字", f"At most {NOTE_LIMIT} characters",
                      fields={"note": [f"不能超过 {NOTE_LIMIT} 字"]})
    return text


def _apply_transition_effects(item: WorkItem, transition: Transition, *, actor: User, note: str | None,
                              evidence: Evidence | None, now: datetime) -> list[dict[str, str]]:
    """What a transition does besides the move; returns the evidence files a submission stored."""
    if transition.action == "submit":
        item.submitted_at = now
        if item.parent is not None:  # the district that split it reviews it: tell it (the office has its queue)
            notifications.notify(kind=notifications.ITEM_SUBMITTED, unit_ids=[item.parent.unit_id], item=item,
                                 now=now, text=f"{item.unit.short_name}提交《{wording.title(item)}》办结申请,待本单位审核")
        report = ProgressUpdate(item_id=item.id, author_id=actor.id, at=now, text=note or "", percent=100,
                                is_closing_report=True)
        if evidence is None:
            db.session.add(report)
            return []
        return progress.attach(report, item=item, actor=actor, files=evidence.files, storage=evidence.storage,
                               now=now)
    if transition.action == "approve":
        item.completed_at = now
        escalation.record_close(item, timezone=item.plan.timezone)
        records.settle_item(item.id, now=now)
        notifications.notify(kind=notifications.ITEM_APPROVED, unit_ids=[item.unit_id], item=item, now=now,
                             text=f"《{wording.title(item)}》已经{actor.unit.short_name}审核办结,"
                                  "相关督办记录已办结销号")
    elif transition.action == "return":
        item.returned_count += 1
        item.last_return_reason = note
        notifications.notify(kind=notifications.ITEM_RETURNED, unit_ids=[item.unit_id], item=item, now=now,
                             text=f"《{wording.title(item)}》被{actor.unit.short_name}退回:{note}")
    return []


def returned_by(item_ids: Collection[int]) -> dict[int, str]:
    """Who returned each item last, as the units read it: the short name of the unit of the person who returned
    it (the district for a part it split, the office when the office returned it, as it may any item), read from
    the audit trail where every return is, so it is stored once. One query; items never returned are absent."""
    if not item_ids:
        return {}
    latest = (sa.select(Event.item_id, sa.func.max(Event.id).label("event_id"))
              .where(Event.action == "item.return", Event.item_id.in_(item_ids)).group_by(Event.item_id).subquery())
    return {item_id: name for item_id, name in db.session.execute(
        sa.select(latest.c.item_id, Unit.short_name).join(Event, Event.id == latest.c.event_id)
        .join(User, User.id == Event.actor_id).join(Unit, Unit.id == User.unit_id))}


def flush_guarded() -> None:
    """Flush, turning a concurrent writer's win (the ORM's version check) into StaleVersion."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise changed_meanwhile() from exc


def changed_meanwhile() -> StaleVersion:
    """The refusal when the ORM's version check finds another writer won, at whichever flush it finds it."""
    return StaleVersion("该工作项已被他人修改,请刷新后重试", "The item was changed meanwhile; reload and try again")


def _anchor(actor: User, item: WorkItem, anchor_id: int, status: ItemStatus) -> WorkItem:
    anchor = db.session.get(WorkItem, anchor_id)
    if anchor is None or not permissions.can_see_item(actor, anchor):
        raise NotFound("参照的工作项不存在或无权查看", "The card to move next to was not found",
                       code="anchor_not_found")
    if anchor.id == item.id or anchor.plan_id != item.plan_id or anchor.status != status:
        raise Invalid("参照的工作项不在目标列中", "The card to move next to is not in the target column",
                      code="anchor_not_in_column")
    return anchor


def _position_in_column(item: WorkItem, *, actor: User, status: ItemStatus, before_id: int | None,
                        after_id: int | None) -> int:
    """Where the card goes: before or after an anchor card, else at the top of the column."""
    if before_id is not None and after_id is not None:
        raise Invalid("before 和 after 只能指定一个", "Give either before or after, not both",
                      fields={"before": ["只能指定 before 或 after 之一"]})
    for _attempt in range(2):
        prev, nxt = _neighbours(actor, item, status, before_id, after_id)
        position = position_between(prev, nxt)
        if position is not None:
            return position
        renumber_column(item.plan_id, status)
    raise AssertionError("a renumbered column always has room")  # pragma: no cover


def _neighbours(actor: User, item: WorkItem, status: ItemStatus, before_id: int | None,
                after_id: int | None) -> tuple[int | None, int | None]:
    column = sa.select(WorkItem.position).where(
        WorkItem.plan_id == item.plan_id, WorkItem.status == status, WorkItem.id != item.id
    )
    if before_id is not None:
        nxt: int | None = _anchor(actor, item, before_id, status).position
        prev = db.session.execute(
            column.where(WorkItem.position < nxt).order_by(WorkItem.position.desc()).limit(1)).scalar()
        return prev, nxt
    if after_id is not None:
        prev = _anchor(actor, item, after_id, status).position
        nxt = db.session.execute(
            column.where(WorkItem.position > prev).order_by(WorkItem.position).limit(1)).scalar()
        return prev, nxt
    top = db.session.execute(column.order_by(WorkItem.position).limit(1)).scalar()
    return None, top


def bottom_position(plan_id: int, status: ItemStatus) -> int:
    last = db.session.execute(
        sa.select(sa.func.max(WorkItem.position)).where(WorkItem.plan_id == plan_id, WorkItem.status == status)
    ).scalar()
    position = position_between(last, None)
    assert position is not None  # below the last card there is always room
    return position


def renumber_column(plan_id: int, status: ItemStatus) -> None:
    """Spread a column's positions evenly. Rare; positions are not item content, so versions stay."""
    ids = db.session.scalars(
        sa.select(WorkItem.id).where(WorkItem.plan_id == plan_id, WorkItem.status == status)
        .order_by(WorkItem.position, WorkItem.id)
    ).all()
    new = renumbered(ids)
    table = WorkItem.__table__
    db.session.execute(
        sa.update(table).where(table.c.id == sa.bindparam("item_id")).values(position=sa.bindparam("pos")),
        [{"item_id": item_id, "pos": pos} for item_id, pos in new.items()],
    )
    for obj in db.session.identity_map.values():
        if isinstance(obj, WorkItem) and obj.id in new:
            db.session.expire(obj, ["position"])
