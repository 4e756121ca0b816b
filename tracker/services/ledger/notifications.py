"""Notifications (站内通知): tell a unit or a person at once that something happened to them.

One small, generic entry point, `notify(unit_ids | user_ids, kind, item, text)`, used by the workflow (a return,
an approval), extensions (a decision), the ledger (a record issued) and the daily scan (records issued, pre-due
reminders); other services route their own news through it. Each notification is written in the caller's
transaction, so it exists exactly when the change it reports was committed. Mail is queued beside it, one
message per unit per batch (a batch is one moment: a request or one daily scan), and sent after the commit by
the scheduler (`deliver_mail`): marked sent in its own commit once the server took it, so never sent twice.
Outgoing webhooks matching a notification are queued in the same transaction (webhooks.queue), and so are the
messages to the people it is for on the channels they chose (reach.queue).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, cast

import sqlalchemy as sa

from ...errors import NotFound
from ...extensions import db
from ...models import DeliveryStatus, Notification, NotificationMail, Plan, Unit, User, WorkItem
from . import reach, webhooks
from ...idempotent import insert_or_ignore
from .mail import build_message

RECORD_ISSUED = "record_issued"
ITEM_RETURNED = "item_returned"
EXTENSION_DECIDED = "extension_decided"
ITEM_APPROVED = "item_approved"
ITEM_SUBMITTED = "item_submitted"  # a township's part, submitted to the district that split it (the office has its queue)
DUE_SOON = "due_soon"
# What happens to an item its units carry (services.work.item_news): handed out, corrected, cancelled, instructed.
ASSIGNED, CORRECTED, CANCELLED = "assigned", "corrected", "cancelled"
INSTRUCTION, PART_DONE, UNITS_CHANGED = "instruction", "part_done", "units_changed"
# Indicator figures (services.assessment.indicators): the office is told of a submission, the unit of a return.
INDICATOR_SUBMITTED, INDICATOR_RETURNED = "indicator_submitted", "indicator_returned"
INDICATOR_KINDS = (INDICATOR_SUBMITTED, INDICATOR_RETURNED)
CONTESTED, CONTEST_DECIDED = "contested", "contest_decided"  # 退办 / 异议 (services.work.contests)
MISSED_REPORT = "missed_report"  # the daily scan found periodic reports not made (services.assessment.reporting_duty)
KINDS = (RECORD_ISSUED, ITEM_RETURNED, EXTENSION_DECIDED, ITEM_APPROVED, DUE_SOON, ASSIGNED, CORRECTED, CANCELLED,
         INSTRUCTION, PART_DONE, UNITS_CHANGED, INDICATOR_SUBMITTED, INDICATOR_RETURNED, MISSED_REPORT, ITEM_SUBMITTED,
         CONTESTED, CONTEST_DECIDED)
MAIL_MAX_AGE = timedelta(hours=48)  # older unsent mail is news no longer: switching SMTP on sends no backlog


@dataclass(frozen=True)
class Entry:
    """One notification to write: to a unit or to a user, about an item (and a record) or nothing."""

    kind: str
    text: str
    unit_id: int | None = None
    user_id: int | None = None
    item_id: int | None = None
    record_id: int | None = None
    dedupe_key: str | None = None


def batch_for(now: datetime) -> str:
    """The mail batch of one moment: everything notified at the same `now` goes out in one message per unit."""
    return f"at:{now.isoformat(timespec='seconds')}"


def notify(*, kind: str, text: str, now: datetime, unit_ids: Iterable[int] = (), user_ids: Iterable[int] = (),
           item: WorkItem | None = None, record_id: int | None = None, batch_key: str | None = None,
           dedupe_key: str | None = None) -> None:
    """Tell units (all their users) and/or single users; idempotent when given a `dedupe_key`."""
    item_id = item.id if item is not None else None
    entries = [Entry(kind, text, unit_id=u, item_id=item_id, record_id=record_id,
                     dedupe_key=f"{dedupe_key}:u{u}" if dedupe_key else None) for u in dict.fromkeys(unit_ids)]
    entries += [Entry(kind, text, user_id=u, item_id=item_id, record_id=record_id,
                      dedupe_key=f"{dedupe_key}:p{u}" if dedupe_key else None) for u in dict.fromkeys(user_ids)]
    write(entries, now=now, batch_key=batch_key or batch_for(now))


def write(entries: Sequence[Entry], *, now: datetime, batch_key: str) -> None:
    """Write many notifications at once (a scan's), and queue one mail per unit with an address."""
    if not entries:
        return
    insert_or_ignore(Notification.__table__, [{
        "unit_id": e.unit_id, "user_id": e.user_id, "kind": e.kind, "item_id": e.item_id, "record_id": e.record_id,
        "text": e.text, "created_at": now, "batch_key": batch_key, "dedupe_key": e.dedupe_key,
    } for e in entries], key=("dedupe_key",))
    webhooks.queue(batch_key=batch_key, now=now)
    reach.queue(batch_key=batch_key, now=now)
    unit_ids = {e.unit_id for e in entries if e.unit_id is not None}
    if not unit_ids:
        return
    mails = [{"batch_key": batch_key, "unit_id": unit.id, "address": address, "created_at": now,
              "status": DeliveryStatus.PENDING.value, "attempts": 0}
             for unit in db.session.scalars(sa.select(Unit).where(Unit.id.in_(unit_ids)))
             for address in dict.fromkeys(unit.emails or [])]
    insert_or_ignore(NotificationMail.__table__, mails, key=("batch_key", "unit_id", "address"))


def office_unit_id(item: WorkItem) -> int | None:
    return db.session.execute(sa.select(Plan.office_unit_id).where(Plan.id == item.plan_id)).scalar()


# --- reading --------------------------------------------------------------------------------------------

def _mine(actor: User) -> sa.ColumnElement[bool]:
    return sa.or_(Notification.user_id == actor.id,
                  sa.and_(Notification.unit_id.is_not(None), Notification.unit_id == actor.unit_id))


def list_for(*, actor: User, unread_only: bool = False, limit: int = 50, offset: int = 0) -> list[Notification]:
    """The actor's notifications (their own and their unit's), newest first."""
    query = sa.select(Notification).where(_mine(actor))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(db.session.scalars(query.order_by(Notification.created_at.desc(), Notification.id.desc())
                                   .limit(limit).offset(offset)))


def unread_count(*, actor: User) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(Notification).where(
        _mine(actor), Notification.read_at.is_(None))).scalar_one()


def get_notification(notification_id: int, *, actor: User) -> Notification:
    found = db.session.execute(sa.select(Notification).where(Notification.id == notification_id, _mine(actor))
                               ).scalar()
    if found is None:
        raise NotFound("通知不存在", "Notification not found", code="notification_not_found")
    return found


def mark_read(notification: Notification, *, actor: User, now: datetime) -> Notification:
    """Read: for a unit's notification, the first reader of the unit reads it for all; kept once set."""
    if notification.read_at is None:
        notification.read_at, notification.read_by_id = now, actor.id
        db.session.flush()
    return notification


def mark_all_read(*, actor: User, now: datetime) -> int:
    result = db.session.execute(sa.update(Notification).where(_mine(actor), Notification.read_at.is_(None))
                                .values(read_at=now, read_by_id=actor.id), execution_options={"synchronize_session":
                                                                                             "fetch"})
    return cast(sa.CursorResult[Any], result).rowcount  # an UPDATE's result is a cursor's


# --- mail -----------------------------------------------------------------------------------------------

def mail_due(now: datetime) -> sa.ColumnElement[bool]:
    """Mails to send now: not sent yet and not older than MAIL_MAX_AGE (news that late is no longer news)."""
    return sa.and_(NotificationMail.status != DeliveryStatus.SENT, NotificationMail.created_at >= now - MAIL_MAX_AGE)


def message_for(mail: NotificationMail, *, sender: str) -> EmailMessage:
    """The batch's notifications for the unit as one message, in the order they were written."""
    texts = list(db.session.scalars(sa.select(Notification.text).where(
        Notification.batch_key == mail.batch_key, Notification.unit_id == mail.unit_id).order_by(Notification.id)))
    subject = f"督办看板通知:{texts[0][:40]}" if len(texts) == 1 else f"督办看板通知:{len(texts)} 条新消息"
    body = "\n".join(f"· {text}" for text in texts)
    html = "<ul>" + "".join(f"<li>{_escape(text)}</li>" for text in texts) + "</ul>"
    return build_message(sender=sender, to=mail.address, subject=subject, text=body, html=html)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mark_mail(mail: NotificationMail, *, now: datetime, error: str | None = None) -> None:
    mail.attempts += 1
    if error is None:
        mail.status, mail.sent_at, mail.last_error = DeliveryStatus.SENT, now, None
    else:
        mail.status, mail.last_error = DeliveryStatus.FAILED, error[:2000]

