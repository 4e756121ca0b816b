"""Each person reached: who a notification is for, the messages that carry it on the person's channels, the SMS
sent once when they stayed unread, the read receipts, and the trail an office reads when a unit says it was
never told.

Who: a notification to a user is theirs; one to a unit is for the item's person responsible (责任人) when the
unit is the item's lead unit and that person still works there, else for the unit's admins, else for the unit
alone (its mail and its page, as before). Each of them with channels chosen (services/ledger/reach_config.py)
gets one message per channel, queued in the notifying transaction beside the unit's mail and the webhooks and
sent after the commit by the scheduler's one delivery loop (tracker/scheduler/delivery.py: claimed, sent outside
any transaction, recorded, retried with backoff, never twice). A 督办 (a record issued) still unread
`resend_after` after its first message was delivered goes once more by SMS to the person's mobile.

Read: opening the notification in the app stamps it read (notifications.mark_read, who and when); following a
message's link does too, and stamps that message, when the person it was sent to follows it signed in. A link
opened with no one signed in is no reading: carriers scan the links in SMS and chat apps fetch them for
previews, and a receipt stamped by a scanner would stop the SMS sent again and show the office a unit "told"
that never saw it. The link's token is the message's id and an HMAC of it with the tracker's key: it cannot be
guessed, and it reads only the message it was made for.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...idempotent import insert_or_ignore
from ...models import (DeliveryStatus, Notification, PersonMessage, ReachChoice, Role, Unit, UnitRobot, User,
                       WorkItem)
from ..plan.event_words import kind_words
from ..plan.per_transaction import PerTransaction
from . import outbound, webhooks
from .robots import ROBOTS, SMS, Notice

MAX_ATTEMPTS = webhooks.MAX_ATTEMPTS
MAX_AGE = timedelta(hours=48)  # a message not out after two days is news no longer (as for mail)
ADMINS = (Role.UNIT_ADMIN, Role.OFFICE_ADMIN)


# --- who is told ------------------------------------------------------------------------------------------

def recipients(rows: Iterable[Any]) -> dict[int, list[int]]:
    """For notification rows (id, unit_id, user_id, item_id): the people each is for (see the module's words)."""
    rows = list(rows)
    found: dict[int, list[int]] = {r.id: [r.user_id] for r in rows if r.user_id is not None}
    unit_rows = [r for r in rows if r.unit_id is not None]
    if not unit_rows:
        return found
    item_ids = {r.item_id for r in unit_rows if r.item_id is not None}
    responsible = {item_id: (unit_id, user_id) for item_id, unit_id, user_id in db.session.execute(
        sa.select(WorkItem.id, WorkItem.unit_id, User.id).join(User, User.id == WorkItem.responsible_user_id)
        .where(WorkItem.id.in_(item_ids), User.is_enabled.is_(True), User.unit_id == WorkItem.unit_id))}
    admins: dict[int, list[int]] = {}
    for unit_id, user_id in db.session.execute(
            sa.select(User.unit_id, User.id).where(User.unit_id.in_({r.unit_id for r in unit_rows}),
                                                   User.is_enabled.is_(True), User.role.in_(ADMINS))
            .order_by(User.id)):
        admins.setdefault(unit_id, []).append(user_id)
    for r in unit_rows:
        lead = responsible.get(r.item_id)
        found[r.id] = [lead[1]] if lead is not None and lead[0] == r.unit_id else admins.get(r.unit_id, [])
    return found


# Whether anyone chose a channel at all, asked once per transaction (a bulk decision writes notices per item).
_ANYONE_CHOSE = PerTransaction(
    "anyone_chose_a_channel", lambda: db.session.execute(sa.select(ReachChoice.user_id).limit(1)).first() is not None,
    made_of=(ReachChoice,))


def queue(*, batch_key: str, now: datetime) -> int:
    """One message per (notification of this batch written now, person it is for, channel they chose and can be
    reached on); idempotent. Returns how many were offered (before duplicates were ignored)."""
    if not _ANYONE_CHOSE.get():
        return 0  # nobody chose a channel: the common case costs one query a transaction
    rows = db.session.execute(sa.select(Notification.id, Notification.unit_id, Notification.user_id,
                                        Notification.item_id)
                              .where(Notification.batch_key == batch_key, Notification.created_at == now)).all()
    told = recipients(rows)
    people = {uid for uids in told.values() for uid in uids}
    if not people:
        return 0
    reach = {uid: (channels, mobile, unit_id) for uid, channels, mobile, unit_id in db.session.execute(
        sa.select(ReachChoice.user_id, ReachChoice.channels, ReachChoice.mobile, User.unit_id)
        .join(User, User.id == ReachChoice.user_id).where(ReachChoice.user_id.in_(people)))}
    robots = set(db.session.execute(sa.select(UnitRobot.unit_id, UnitRobot.kind).where(
        UnitRobot.unit_id.in_({unit_id for _c, _m, unit_id in reach.values()}), UnitRobot.active.is_(True))).all())
    messages = [{"notification_id": nid, "user_id": uid, "channel": channel, "round": 1, "created_at": now,
                 "status": DeliveryStatus.PENDING.value, "attempts": 0, "next_attempt_at": now}
                for nid, uids in told.items() for uid in uids if uid in reach
                for channel in reach[uid][0]
                if (channel == SMS and reach[uid][1]) or (reach[uid][2], channel) in robots]
    insert_or_ignore(PersonMessage.__table__, messages, key=("notification_id", "user_id", "channel", "round"))
    return len(messages)


def resend_unread(*, now: datetime, after: timedelta, kinds: Iterable[str]) -> int:
    """Queue the one SMS of every message of `kinds` (the 督办: records issued) delivered at least `after` ago and
    still unread (neither opened in the app nor its link followed), to a person with a mobile who was not told by
    SMS already; idempotent."""
    first, sms = PersonMessage, sa.orm.aliased(PersonMessage)
    pairs = db.session.execute(
        sa.select(first.notification_id, first.user_id).distinct()
        .join(Notification, Notification.id == first.notification_id)
        .join(ReachChoice, ReachChoice.user_id == first.user_id)
        .where(first.round == 1, first.status == DeliveryStatus.SENT, first.read_at.is_(None),
               first.delivered_at <= now - after, first.delivered_at > now - after - MAX_AGE,
               Notification.kind.in_(list(kinds)), Notification.read_at.is_(None), ReachChoice.mobile.is_not(None),
               ~sa.exists().where(sms.notification_id == first.notification_id, sms.user_id == first.user_id,
                                  sms.channel == SMS))).all()
    insert_or_ignore(PersonMessage.__table__, [
        {"notification_id": nid, "user_id": uid, "channel": SMS, "round": 2, "created_at": now,
         "status": DeliveryStatus.PENDING.value, "attempts": 0, "next_attempt_at": now} for nid, uid in pairs],
        key=("notification_id", "user_id", "channel", "round"))
    return len(pairs)


# --- read receipts ----------------------------------------------------------------------------------------

def _mac(message_id: int, key: bytes) -> str:
    digest = hmac.new(key, f"read:{message_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def read_token(message_id: int, key: bytes) -> str:
    return f"{message_id}.{_mac(message_id, key)}"


def reads(message: PersonMessage, reader: User | None) -> bool:
    """Whether following the message's link is its reading: only by the person it was sent to, signed in."""
    return reader is not None and reader.id == message.user_id


def follow(token: str, *, key: bytes, reader: User | None, now: datetime) -> PersonMessage | None:
    """The message a followed link names, None for a token that is not one the tracker made. Stamped read (and its
    notification, by that person) the first time its own person follows it (`reads`); anyone else, or no one
    signed in, reads nothing."""
    head, _, mac = token.partition(".")
    if not head.isascii() or not head.isdigit() or len(head) > 18 or not hmac.compare_digest(mac, _mac(int(head),
                                                                                                      key)):
        return None
    message = db.session.get(PersonMessage, int(head))
    if message is None or not reads(message, reader):
        return message
    if message.read_at is None:
        message.read_at = now
    notification = db.session.get(Notification, message.notification_id)
    if notification is not None and notification.read_at is None:
        notification.read_at, notification.read_by_id = now, message.user_id
    db.session.flush()
    return message


# --- sending (the scheduler's delivery loop) ----------------------------------------------------------------

def due(now: datetime, *, sms: bool) -> sa.ColumnElement[bool]:
    """Messages to send now: not sent, attempts left, their time come, not older than MAX_AGE; SMS only when a
    gateway is configured (they wait, and age out, otherwise)."""
    clause = sa.and_(PersonMessage.status != DeliveryStatus.SENT, PersonMessage.attempts < MAX_ATTEMPTS,
                     PersonMessage.next_attempt_at <= now, PersonMessage.created_at >= now - MAX_AGE)
    return clause if sms else sa.and_(clause, PersonMessage.channel != SMS)


@dataclass(frozen=True)
class Outgoing:
    """One message as plain data, read in the claiming transaction and sent after it ended; `url` empty when its
    robot was switched off since it was queued."""

    message_id: int
    channel: str
    url: str
    secret: str
    notice: Notice


def outgoing(message: PersonMessage, *, public_url: str, key: bytes) -> Outgoing:
    notification = db.session.get(Notification, message.notification_id)
    person = db.session.get(User, message.user_id)
    assert notification is not None and person is not None
    choice = db.session.get(ReachChoice, person.id)
    link = f"{public_url.rstrip('/')}/r/{read_token(message.id, key)}" if public_url else ""
    notice = Notice(title=f"督办看板:{kind_words(notification.kind)[0]}", text=notification.text, link=link,
                    mobile=choice.mobile if choice else None, name=person.display_name)
    url = secret = ""
    if message.channel in ROBOTS:
        robot = db.session.execute(sa.select(UnitRobot).where(UnitRobot.unit_id == person.unit_id,
                                                               UnitRobot.kind == message.channel,
                                                               UnitRobot.active.is_(True))).scalar()
        url, secret = (robot.url, robot.secret) if robot is not None else ("", "")
    return Outgoing(message.id, message.channel, url, secret, notice)


def record(message: PersonMessage, answer: outbound.Answer, *, now: datetime) -> bool:
    """One attempt's answer: delivered for good, or failed and due again after the webhooks' backoff."""
    message.attempts += 1
    if answer.ok:
        message.status, message.delivered_at, message.last_error = DeliveryStatus.SENT, now, None
    else:
        message.status, message.last_error = DeliveryStatus.FAILED, (answer.error or "")[:outbound.ERROR_LENGTH]
        message.next_attempt_at = now + webhooks.backoff(message.attempts)
    db.session.flush()
    return answer.ok


# --- the trail of one record ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Told:
    """One notification of a record: the unit told, when, who read it in the app (or by a link) and when, and
    each message that carried it to a person."""

    notification: Notification
    unit_name: str | None
    read_by: str | None
    messages: list[tuple[PersonMessage, str]]  # the message and its person's name


def trail(record_id: int) -> list[Told]:
    """Who was told of the record, on which channel, when delivered, when read (the caller checked the actor may
    see the record)."""
    reader = sa.orm.aliased(User)
    found = db.session.execute(
        sa.select(Notification, Unit.name, reader.display_name)
        .outerjoin(Unit, Unit.id == Notification.unit_id).outerjoin(reader, reader.id == Notification.read_by_id)
        .where(Notification.record_id == record_id).order_by(Notification.id)).all()
    messages: dict[int, list[tuple[PersonMessage, str]]] = {}
    for message, name in db.session.execute(
            sa.select(PersonMessage, User.display_name).join(User, User.id == PersonMessage.user_id)
            .where(PersonMessage.notification_id.in_([n.id for n, _u, _r in found]))
            .order_by(PersonMessage.round, PersonMessage.id)):
        messages.setdefault(message.notification_id, []).append((message, name))
    return [Told(n, unit, reader_name, messages.get(n.id, [])) for n, unit, reader_name in found]
