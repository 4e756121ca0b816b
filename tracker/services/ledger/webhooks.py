"""Outgoing webhooks: how a city bridges notifications to 政务微信, 钉钉 or an SMS gateway without vendor code.

The office registers a URL for one unit or for all, with the notification kinds it wants; the URL is checked
like any input the tracker will call (tracker/services/ledger/outbound.py: public addresses only, unless the city's
TRACKER_WEBHOOK_ALLOW names a private receiver). Its signing secret is shown once, when the hook is made or the
secret rotated, and masked afterwards. Every notification written (notifications.write) queues one delivery per
matching active hook in the same transaction, with its JSON body fixed then. The scheduler's delivery loop
(tracker/scheduler/delivery.py) claims due deliveries, sends each outside any transaction and records the
answer here (`record`): a 2xx acknowledges and the delivery is never sent again; anything else is logged
(status, response time, error) and retried with exponential backoff, up to MAX_ATTEMPTS. Each POST carries
`X-Tracker-Timestamp` (Unix seconds) and `X-Tracker-Signature: sha256=<hex>`, the HMAC-SHA256 of
"<timestamp>.<body>" with the hook's secret, so a receiver can refuse a replayed old request. A crash between
the receiver's answer and the record can repeat a delivery, so receivers dedupe on `X-Tracker-Delivery`.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ...errors import Invalid, NotFound
from ...extensions import db
from ...models import DeliveryStatus, Notification, Unit, User, Webhook, WebhookAttempt, WebhookDelivery, WorkItem
from . import outbound
from ..plan import wording
from ..trust import audit, permissions
from ...idempotent import insert_or_ignore

SIGNATURE_HEADER = "X-Tracker-Signature"
TIMESTAMP_HEADER = "X-Tracker-Timestamp"
MAX_ATTEMPTS = 12
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
TIMEOUT_SECONDS = 10.0


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: `sha256=` and the HMAC-SHA256 of "<timestamp>.<body>" in hex."""
    return "sha256=" + hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: 1, 2, 4, ... minutes, at most six hours."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def secret_hint(hook: Webhook) -> str:
    """What pages and the API show of a secret after it was first shown: enough to tell two apart."""
    return "…" + hook.secret[-4:]


# --- the office registers hooks -------------------------------------------------------------------------

def register(*, actor: User, url: str, events: Sequence[str], unit_id: int | None, now: datetime,
             kinds: Sequence[str], allow: outbound.AllowList) -> Webhook:
    """A new hook with a fresh secret (the caller shows it once). Raises NotAllowed (not the office), Invalid
    (the URL may not be called, events), NotFound."""
    permissions.require_not_read_only(actor)
    permissions.require_office(actor)
    url = url.strip()
    outbound.check(url, allow=allow)
    chosen = list(dict.fromkeys(events))
    if not chosen or not set(chosen) <= set(kinds):
        raise Invalid(f"请选择事件:{'、'.join(kinds)}", f"Choose events among {', '.join(kinds)}",
                      fields={"events": ["无效事件"]})
    if unit_id is not None and db.session.get(Unit, unit_id) is None:
        raise NotFound("单位不存在", "Unit not found", code="unit_not_found")
    hook = Webhook(url=url, unit_id=unit_id, events=chosen, secret=secrets.token_hex(32), active=True,
                   created_at=now, created_by_id=actor.id)
    db.session.add(hook)
    db.session.flush()
    audit.record(actor=actor, action="webhook.register", entity_type="webhook", entity_id=hook.id, now=now,
                 after={"url": hook.url, "unit_id": unit_id, "events": chosen})
    return hook


def set_active(hook: Webhook, *, actor: User, active: bool, now: datetime) -> Webhook:
    permissions.require_not_read_only(actor)
    permissions.require_office(actor)
    hook.active = active
    db.session.flush()
    audit.record(actor=actor, action="webhook." + ("enable" if active else "disable"), entity_type="webhook",
                 entity_id=hook.id, after={"active": active}, now=now)
    return hook


def rotate_secret(hook: Webhook, *, actor: User, now: datetime) -> Webhook:
    """A new secret for a hook whose secret may have leaked; the old one stops signing at once."""
    permissions.require_not_read_only(actor)
    permissions.require_office(actor)
    hook.secret = secrets.token_hex(32)
    db.session.flush()
    audit.record(actor=actor, action="webhook.rotate_secret", entity_type="webhook", entity_id=hook.id, now=now,
                 after={"secret": secret_hint(hook)})
    return hook


def list_hooks(*, actor: User) -> list[Webhook]:
    permissions.require_office(actor)
    return list(db.session.scalars(sa.select(Webhook).order_by(Webhook.id)))


def get_hook(hook_id: int, *, actor: User) -> Webhook:
    permissions.require_office(actor)
    hook = db.session.get(Webhook, hook_id)
    if hook is None:
        raise NotFound("Webhook 不存在", "Webhook not found", code="webhook_not_found")
    return hook


def attempts_log(*, actor: User, limit: int = 100) -> list[tuple[WebhookAttempt, WebhookDelivery, Webhook]]:
    """The newest attempts with their delivery and hook: what the office reads to see what went where."""
    permissions.require_office(actor)
    return [(attempt, delivery, hook) for attempt, delivery, hook in db.session.execute(
        sa.select(WebhookAttempt, WebhookDelivery, Webhook)
        .join(WebhookDelivery, WebhookDelivery.id == WebhookAttempt.delivery_id)
        .join(Webhook, Webhook.id == WebhookDelivery.webhook_id)
        .order_by(WebhookAttempt.at.desc(), WebhookAttempt.id.desc()).limit(limit)).all()]


# --- queueing, in the notifying transaction ---------------------------------------------------------------

def queue(*, batch_key: str, now: datetime) -> None:
    """One delivery per (matching active hook, notification of this batch written now); idempotent."""
    hooks = list(db.session.scalars(sa.select(Webhook).where(Webhook.active.is_(True))))
    if not hooks:
        return
    found = db.session.execute(
        sa.select(Notification, Unit.short_name, wording.title_column())
        .join(Unit, Unit.id == Notification.unit_id).outerjoin(WorkItem, WorkItem.id == Notification.item_id)
        .where(Notification.batch_key == batch_key, Notification.created_at == now)).all()
    rows = [{"webhook_id": hook.id, "notification_id": n.id, "event": n.kind, "body": _body(n, unit, title),
             "created_at": now, "status": DeliveryStatus.PENDING.value, "attempts": 0, "next_attempt_at": now}
            for n, unit, title in found for hook in hooks
            if n.kind in hook.events and hook.unit_id in (None, n.unit_id)]
    insert_or_ignore(WebhookDelivery.__table__, rows, key=("webhook_id", "notification_id"))


def _body(n: Notification, unit_name: str, title: str | None) -> str:
    payload: dict[str, Any] = {
        "notification_id": n.id, "event": n.kind, "text": n.text, "created_at": n.created_at.isoformat(),
        "unit": {"id": n.unit_id, "name": unit_name},
        "item": {"id": n.item_id, "title": title, "path": f"/items/{n.item_id}"} if n.item_id else None,
        "record_id": n.record_id,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# --- delivering: the scheduler's loop (tracker/scheduler/delivery.py) claims, sends and records -------------

def due(now: datetime) -> sa.ColumnElement[bool]:
    """Deliveries to attempt now: to an active hook, not acknowledged, attempts left, backoff over."""
    return sa.and_(WebhookDelivery.webhook_id.in_(sa.select(Webhook.id).where(Webhook.active.is_(True))),
                   WebhookDelivery.status != DeliveryStatus.SENT, WebhookDelivery.attempts < MAX_ATTEMPTS,
                   WebhookDelivery.next_attempt_at <= now)


@dataclass(frozen=True)
class Post:
    """One delivery as plain data, read in the claiming transaction and sent after it ended."""

    delivery_id: int
    event: str
    url: str
    secret: str
    body: bytes

    def headers(self, timestamp: int) -> dict[str, str]:
        return {"Content-Type": "application/json; charset=utf-8", "User-Agent": "plan-tracker",
                TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: sign(self.secret, timestamp, self.body),
                "X-Tracker-Event": self.event, "X-Tracker-Delivery": str(self.delivery_id)}


def post_for(delivery: WebhookDelivery) -> Post:
    hook = db.session.get(Webhook, delivery.webhook_id)
    assert hook is not None
    return Post(delivery.id, delivery.event, hook.url, hook.secret, delivery.body.encode())


def record(delivery: WebhookDelivery, answer: outbound.Answer, *, now: datetime) -> bool:
    """Log one attempt's answer on its delivery; True when the receiver acknowledged (2xx)."""
    delivery.attempts += 1
    if answer.ok:
        delivery.status, delivery.delivered_at = DeliveryStatus.SENT, now
    else:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, now + backoff(delivery.attempts)
    db.session.add(WebhookAttempt(delivery_id=delivery.id, at=now, status_code=answer.status,
                                  response_ms=answer.ms, error=answer.error))
    db.session.flush()
    return answer.ok
