"""Deadline extensions: the lead unit asks for more time, the supervisor (the office, or for a child item the
unit that split it) grants or refuses.

The original due date stays on the card (`original_due_date`); a grant moves `due_date`, which bumps the card's
version and, for the escalation ladder, starts a new cycle keyed by the new due date.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from ...errors import Invalid, NotFound
from ...extensions import db
from ...models import ExtensionRequest, ExtensionStatus, User, WorkItem
from ..ledger import escalation, notifications
from ..plan import wording
from ..trust import audit
from . import item_rows, item_rules
from .workflow import flush_guarded, snapshot


def _as_audit(request: ExtensionRequest) -> dict[str, object]:
    return audit.jsonable({"id": request.id, "status": request.status, "current_due": request.current_due,
                           "requested_due": request.requested_due, "reason": request.reason,
                           "note": request.decision_note})


def request_extension(item: WorkItem, *, actor: User, due: date, reason: str, now: datetime) -> ExtensionRequest:
    """A unit of the item asks to move its due date later. One pending request per item at a time.

    Raises what item_rules.ask_extension refuses (anyone but the lead unit; a done item, a request already
    waiting), and Invalid for an earlier or out-of-plan date (for a child item, a date after its parent's) or a
    missing reason.
    """
    item_rules.require(actor, item, "ask_extension")
    assert item.due_date is not None  # ask_extension refuses an item without a due date
    if due <= item.due_date or (item.task_id is not None and due > item.plan.end_date):
        raise Invalid(f"新的截止日期须晚于 {item.due_date},且不晚于计划结束日 {item.plan.end_date}",
                      f"The new due date must be after {item.due_date} and by {item.plan.end_date}",
                      code="due_out_of_range", fields={"due": ["日期不在允许范围内"]})
    parent_due = item.parent.due_date if item.parent is not None else None
    if parent_due is not None and due > parent_due:
        raise Invalid(f"下级分解事项的截止日期不能晚于上级事项的 {parent_due}",
                      f"A sub-item cannot be due after its parent ({parent_due})", code="due_after_parent",
                      fields={"due": ["晚于上级事项截止日期"]})
    if not reason.strip():
        raise Invalid("须说明延期理由", "A reason is required", fields={"reason": ["必填"]})
    extension = ExtensionRequest(item_id=item.id, requested_by_id=actor.id, requested_at=now,
                                 current_due=item.due_date, requested_due=due, reason=reason.strip())
    db.session.add(extension)
    db.session.flush()
    audit.record(actor=actor, action="item.extension_request", entity_type="extension_request",
                 entity_id=extension.id, item_id=item.id, after=_as_audit(extension), now=now)
    return extension


def get_request(request_id: int, *, actor: User) -> ExtensionRequest:
    """A request on an item the actor may see; otherwise not found."""
    return item_rows.visible_row(ExtensionRequest, request_id, actor=actor, missing=NotFound(
        "延期申请不存在", "Extension request not found", code="extension_not_found"))


def requests_of(item: WorkItem) -> list[ExtensionRequest]:
    return item_rows.rows_of(ExtensionRequest, item)


def pending_request(item: WorkItem, *, actor: User) -> ExtensionRequest:
    """The item's waiting request, for the supervisor to decide; when none waits (or the actor may not decide),
    the refusal of the rule decide() asks, so a bulk decision names the item's own reason."""
    item_rules.require(actor, item, "decide_extension")
    pending = db.session.execute(sa.select(ExtensionRequest).where(
        ExtensionRequest.item_id == item.id, ExtensionRequest.status == ExtensionStatus.PENDING)).scalar()
    assert pending is not None  # decide_extension refuses an item with no request waiting
    return pending


# The office's answer to an extension request, by the word a form or a program sends.
DECISIONS: dict[str, bool] = {"grant": True, "refuse": False}


def decide(extension: ExtensionRequest, *, actor: User, grant: bool, note: str | None,
           now: datetime) -> ExtensionRequest:
    """The supervisor grants (the card's due date moves) or refuses (a reason is required). Decided once."""
    item = db.session.get(WorkItem, extension.item_id)
    assert item is not None
    item_rules.require(actor, item, "decide_extension")
    if extension.status != ExtensionStatus.PENDING:
        raise Invalid("该延期申请已审批", "This request was already decided", code="already_decided")
    note = (note or "").strip() or None
    if not grant and note is None:
        raise Invalid("不同意延期须说明理由", "A refusal needs a reason", code="reason_required",
                      fields={"note": ["必填"]})
    before = snapshot(item)
    extension.status = ExtensionStatus.GRANTED if grant else ExtensionStatus.REFUSED
    extension.decided_by_id, extension.decided_at, extension.decision_note = actor.id, now, note
    if grant:
        item.due_date = extension.requested_due
        item.updated_at = now
        escalation.on_due_date_changed(item, now=now, timezone=item.plan.timezone)
    flush_guarded()
    notifications.notify(
        kind=notifications.EXTENSION_DECIDED, unit_ids=[item.unit_id], item=item, now=now,
        text=(f"《{wording.title(item)}》延期申请已同意,新的截止日期 {extension.requested_due}" if grant
              else f"《{wording.title(item)}》延期申请未获同意:{note}"))
    audit.record(actor=actor, action="item.extension_" + ("granted" if grant else "refused"),
                 entity_type="extension_request", entity_id=extension.id, item_id=item.id,
                 before=before, after=snapshot(item) | {"extension": _as_audit(extension)}, now=now)
    return extension
