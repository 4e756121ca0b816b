"""One loop for every message the tracker sends out: webhooks, notification mail and the weekly digest mail.

Nothing outside may hold a lock. On SQLite a transaction the scheduler begins takes the database's write lock
(tracker/database.py), so a send inside one would stop every web write for as long as the receiver cares to
take. The loop therefore works in three steps, each message on its own:

1. claim a batch in a short transaction: due rows with no live claim get this scheduler's name and a claim
   that outlives the batch's sends (PostgreSQL also skips rows another scheduler is claiming right now, with
   FOR UPDATE SKIP LOCKED); what to send is read into plain data there; commit;
2. send each with a deadline on the whole exchange, no transaction open, after checking that this process
   still leads, is not stopping, and that its claim will outlast the attempt;
3. record the answer (and drop the claim) in a short transaction of its own.

Every failure of one attempt is that message's answer, so a broken URL never holds up the rest; a claim is
honoured by every other scheduler until it ends, so two schedulers never send the same message twice. A channel
is what differs between kinds of message: which rows are due, what to send, how to send it, how to record it;
the messages to people (a unit's 政务 app group robot, SMS) are one more channel.
"""
from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import urlsplit

import sqlalchemy as sa

from ..clock import utcnow
from ..extensions import db
from ..models import DigestDelivery, NotificationMail, PersonMessage, WebhookDelivery
from ..services.ledger import digests, notifications, outbound, reach, robots, webhooks
from ..services.ledger.mail import MailSender, ServerDown, SmtpSettings
from ..settings import Settings

BATCH = 20
CLAIM_MARGIN_SECONDS = 30.0
Row = TypeVar("Row", WebhookDelivery, NotificationMail, DigestDelivery, PersonMessage)
Send = Callable[[Any], outbound.Answer]


class Channel(Protocol, Generic[Row]):
    # Read-only: the channels are frozen dataclasses.
    @property
    def name(self) -> str: ...
    @property
    def model(self) -> type[Row]: ...
    @property
    def seconds(self) -> float: ...  # the longest one attempt may take

    def due(self, now: datetime) -> sa.ColumnElement[bool]: ...
    def prepare(self, row: Row) -> Any: ...
    def sender(self, stop: threading.Event) -> contextlib.AbstractContextManager[Send]: ...
    def record(self, row: Row, answer: outbound.Answer, now: datetime) -> bool: ...


@dataclass(frozen=True)
class Webhooks:
    allow: outbound.AllowList
    seconds: float = webhooks.TIMEOUT_SECONDS
    name: str = "webhook"
    model: type[WebhookDelivery] = WebhookDelivery

    def due(self, now: datetime) -> sa.ColumnElement[bool]:
        return webhooks.due(now)

    def prepare(self, row: WebhookDelivery) -> webhooks.Post:
        return webhooks.post_for(row)

    @contextlib.contextmanager
    def sender(self, stop: threading.Event) -> Iterator[Send]:
        def send(post: webhooks.Post) -> outbound.Answer:
            # Signed as it leaves, so the timestamp a receiver checks is the moment of sending.
            return outbound.post(post.url, post.body, post.headers(int(time.time())), allow=self.allow,
                                 seconds=self.seconds, stop=stop)
        yield send

    def record(self, row: WebhookDelivery, answer: outbound.Answer, now: datetime) -> bool:
        return webhooks.record(row, answer, now=now)


@dataclass(frozen=True)
class PersonMessages:
    """Messages to people: a unit's group robot (企业微信, 钉钉, 飞书) or SMS, each built and signed as it leaves.
    The SMS gateway is the city's own setting, so its host is allowed whatever address it has."""

    allow: outbound.AllowList
    sms: robots.SmsGateway | None = None
    public_url: str = ""
    read_key: bytes = b""
    seconds: float = webhooks.TIMEOUT_SECONDS
    name: str = "person_message"
    model: type[PersonMessage] = PersonMessage

    def due(self, now: datetime) -> sa.ColumnElement[bool]:
        return reach.due(now, sms=self.sms is not None)

    def prepare(self, row: PersonMessage) -> reach.Outgoing:
        return reach.outgoing(row, public_url=self.public_url, key=self.read_key)

    @contextlib.contextmanager
    def sender(self, stop: threading.Event) -> Iterator[Send]:
        def send(out: reach.Outgoing) -> outbound.Answer:
            request, allow = self._request(out, time.time())
            if request is None:
                return outbound.Answer(None, "本单位未启用该机器人,或未留手机号码", 0)
            accept = None if out.channel == robots.SMS else (lambda body: robots.robot_refusal(out.channel, body))
            return outbound.post(request.url, request.body, request.headers, allow=allow, seconds=self.seconds,
                                 stop=stop, accept=accept)
        yield send

    def _request(self, out: reach.Outgoing, at: float) -> tuple[robots.Request | None, outbound.AllowList]:
        if out.channel == robots.SMS:
            if self.sms is None or not out.notice.mobile:
                return None, self.allow
            host = (urlsplit(self.sms.url).hostname or "").lower()
            return (self.sms.request(out.notice.mobile, out.notice, timestamp_s=int(at)),
                    outbound.AllowList(self.allow.networks, self.allow.hosts | {host}))
        if not out.url:
            return None, self.allow
        if out.channel == robots.DINGTALK:
            return robots.dingtalk(out.url, out.secret, out.notice, timestamp_ms=int(at * 1000)), self.allow
        if out.channel == robots.FEISHU:
            return robots.feishu(out.url, out.secret, out.notice, timestamp_s=int(at)), self.allow
        return robots.wecom(out.url, out.notice), self.allow

    def record(self, row: PersonMessage, answer: outbound.Answer, now: datetime) -> bool:
        return reach.record(row, answer, now=now)


@dataclass(frozen=True)
class _Mails:
    """What the two kinds of mail share: the SMTP server, its per-message deadline, one connection a round."""

    smtp: SmtpSettings

    @property
    def seconds(self) -> float:
        return self.smtp.timeout

    @contextlib.contextmanager
    def sender(self, stop: threading.Event) -> Iterator[Send]:
        with MailSender(self.smtp, stop) as mail:
            yield mail.send


@dataclass(frozen=True)
class NotificationMails(_Mails):
    name: str = "notification_mail"
    model: type[NotificationMail] = NotificationMail

    def due(self, now: datetime) -> sa.ColumnElement[bool]:
        return notifications.mail_due(now)

    def prepare(self, row: NotificationMail) -> Any:
        return notifications.message_for(row, sender=self.smtp.sender)

    def record(self, row: NotificationMail, answer: outbound.Answer, now: datetime) -> bool:
        notifications.mark_mail(row, now=now, error=answer.error)
        return answer.ok


@dataclass(frozen=True)
class DigestMails(_Mails):
    name: str = "digest_mail"
    model: type[DigestDelivery] = DigestDelivery

    def due(self, now: datetime) -> sa.ColumnElement[bool]:
        return digests.due(now)

    def prepare(self, row: DigestDelivery) -> Any:
        return digests.message_for(row, sender=self.smtp.sender)

    def record(self, row: DigestDelivery, answer: outbound.Answer, now: datetime) -> bool:
        if answer.ok:
            digests.mark_sent(row, now=now)
        else:
            digests.mark_failed(row, error=answer.error or "")
        return answer.ok


@dataclass(frozen=True)
class Claimed:
    row_id: int
    payload: Any


def deliver(channel: Channel[Any], *, holder: str, now: datetime | None = None,
            still_leader: Callable[[], bool] = lambda: True, stop: threading.Event | None = None) -> dict[str, int]:
    """Send everything of `channel` that is due, oldest first, each message once; returns the counts.

    Stops early, releasing what it claimed and did not send, when `stop` is set, when `still_leader()` says this
    process lost the scheduler lease, or when its claim would end before another attempt could finish. A server
    that cannot be reached (a mail server down) ends the round: the batch in hand is recorded as failed.
    """
    stop = stop or threading.Event()
    counts = {"sent": 0, "failed": 0}
    after = 0
    while not stop.is_set():
        at = now or utcnow()
        claimed_at = time.monotonic()
        batch, lasts = _claim(channel, holder=holder, now=at, after=after)
        if not batch:
            break
        after = batch[-1].row_id
        with channel.sender(stop) as send:
            for index, message in enumerate(batch):
                ends_in = lasts - (time.monotonic() - claimed_at)
                if stop.is_set() or ends_in < channel.seconds + 2 or not still_leader():
                    _release(channel, batch[index:], holder=holder)
                    return counts
                try:
                    answer = send(message.payload)
                except ServerDown as exc:
                    for left in batch[index:]:
                        _record(channel, left.row_id, outbound.Answer(None, str(exc), 0), holder=holder,
                                now=now or utcnow())
                        counts["failed"] += 1
                    return counts
                ok = _record(channel, message.row_id, answer, holder=holder, now=now or utcnow())
                counts["sent" if ok else "failed"] += 1
    return counts


def _claim(channel: Channel[Any], *, holder: str, now: datetime, after: int) -> tuple[list[Claimed], float]:
    """Claim up to BATCH due rows after id `after`; their payloads and how long the claim lasts (seconds)."""
    model = channel.model
    query = (sa.select(model).where(channel.due(now), model.id > after,
                                    sa.or_(model.claimed_until.is_(None), model.claimed_until < now))
             .order_by(model.id).limit(BATCH))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=model)
    try:
        rows = list(db.session.scalars(query))
        lasts = len(rows) * (channel.seconds + 2) + CLAIM_MARGIN_SECONDS
        batch = []
        for row in rows:
            row.claimed_by, row.claimed_until = holder, now + timedelta(seconds=lasts)
            batch.append(Claimed(row.id, channel.prepare(row)))
        db.session.commit()  # from here on nothing touches the database until the answer is recorded
    except BaseException:
        db.session.rollback()
        raise
    return batch, lasts


def _record(channel: Channel[Any], row_id: int, answer: outbound.Answer, *, holder: str, now: datetime) -> bool:
    try:
        row = db.session.get(channel.model, row_id)
        ok = False
        if row is not None:
            ok = channel.record(row, answer, now)
            if row.claimed_by == holder:
                row.claimed_by, row.claimed_until = None, None
        db.session.commit()
        return ok
    except BaseException:
        db.session.rollback()
        raise


def _release(channel: Channel[Any], left: list[Claimed], *, holder: str) -> None:
    """Give back claims not used, so the next round (this process's or a standby's) sends them at once."""
    model = channel.model
    try:
        db.session.execute(sa.update(model).where(model.id.in_([c.row_id for c in left]), model.claimed_by == holder)
                           .values(claimed_by=None, claimed_until=None))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def channels(*, allow: outbound.AllowList, smtp: SmtpSettings | None,
             people: PersonMessages | None = None) -> dict[str, Channel[Any]]:
    """Every channel configured: webhooks and messages to people always; the two kinds of mail when an SMTP
    server is set."""
    found: dict[str, Channel[Any]] = {"webhook": Webhooks(allow), "person_message": people or PersonMessages(allow)}
    if smtp is not None:
        found["notification_mail"] = NotificationMails(smtp)
        found["digest_mail"] = DigestMails(smtp)
    return found


def channels_of(s: Settings) -> dict[str, Channel[Any]]:
    return channels(allow=s.webhook_allow, smtp=s.smtp,
                    people=PersonMessages(s.webhook_allow, s.sms, s.public_url, s.read_key))


def resend_unread(s: Settings, *, now: datetime | None = None) -> int:
    """Queue, in a short transaction of its own, the one SMS of each 督办 left unread `s.resend_after` after it was
    delivered (reach.resend_unread); nothing while no gateway is configured."""
    if s.sms is None:
        return 0
    try:
        queued = reach.resend_unread(now=now or utcnow(), after=s.resend_after,
                                     kinds=(notifications.RECORD_ISSUED,))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return queued
