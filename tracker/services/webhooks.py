"""Outgoing webhooks: how a city bridges notifications to 政务微信, 钉钉 or an SMS gateway without vendor code.

The office registers a URL for one unit or for all, with the notification kinds it wants. Every notification
written (notifications.write) queues one delivery per matching active hook in the same transaction, with its
JSON body fixed then; the scheduler process POSTs due deliveries (`deliver_due`), signed with HMAC-SHA256 over
the exact body with the hook's secret (`X-Tracker-Signature: sha256=<hex>`). A 2xx answer acknowledges: the
delivery is marked delivered in its own commit and never sent again. Anything else is logged (status, response
time, error) and retried with exponential backoff, up to MAX_ATTEMPTS. A crash between the receiver's answer and
that commit can repeat a delivery, so receivers dedupe on `X-Tracker-Delivery`.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from ..errors import Invalid, NotFound
from ..extensions import db
from ..models import DeliveryStatus, Notification, Unit, User, Webhook, WebhookAttempt, WebhookDelivery, WorkItem
from . import audit, permissions
from .bulk import insert_or_ignore

SIGNATURE_HEADER = "X-Tracker-Signature"
MAX_ATTEMPTS = 12
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
TIMEOUT_SECONDS = 10.0


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: `sha256=` and the HMAC-SHA256 of the body in hex."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """Wait after the n-th failed attempt: 1, 2, 4, ... minutes, at most six hours."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)


# --- the office registers hooks -------------------------------------------------------------------------

def register(*, actor: User, url: str, events: Sequence[str], unit_id: int | None, now: datetime,
             kinds: Sequence[str]) -> Webhook:
    """A new hook with a fresh secret. Raises NotAllowed (not the office), Invalid (URL, events), NotFound."""
    permissions.require_not_read_only(actor)
    permissions.require_office(actor)
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise Invalid("地址须为 http(s):// 开头的完整网址", "The URL must be a full http(s) address",
                      fields={"url": ["无效网址"]})
    chosen = list(dict.fromkeys(events))
    if not chosen or not set(chosen) <= set(kinds):
        raise Invalid(f"请选择事件:{'、'.join(kinds)}", f"Choose events among {', '.join(kinds)}",
                      fields={"events": ["无效事件"]})
    if unit_id is not None and db.session.get(Unit, unit_id) is None:
        raise NotFound("单位不存在", "Unit not found", code="unit_not_found")
    hook = Webhook(url=url.strip(), unit_id=unit_id, events=chosen, secret=secrets.token_hex(32), active=True,
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
    return [tuple(row) for row in db.session.execute(  # type: ignore[misc]
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
        sa.select(Notification, Unit.short_name, WorkItem.title)
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


# --- delivering, in the scheduler process ---------------------------------------------------------------

def due_ids(*, now: datetime) -> list[int]:
    return list(db.session.scalars(sa.select(WebhookDelivery.id).join(Webhook).where(
        Webhook.active.is_(True), WebhookDelivery.status != DeliveryStatus.SENT,
        WebhookDelivery.attempts < MAX_ATTEMPTS, WebhookDelivery.next_attempt_at <= now)
        .order_by(WebhookDelivery.id)))


def attempt(delivery: WebhookDelivery, *, now: datetime, timeout: float = TIMEOUT_SECONDS) -> bool:
    """POST the delivery once and log the attempt; True when the receiver acknowledged (2xx). The caller
    commits right after, so an acknowledged delivery is never attempted again."""
    hook = db.session.get(Webhook, delivery.webhook_id)
    assert hook is not None
    body = delivery.body.encode()
    request = urllib.request.Request(hook.url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", SIGNATURE_HEADER: sign(hook.secret, body),
        "X-Tracker-Event": delivery.event, "X-Tracker-Delivery": str(delivery.id), "User-Agent": "plan-tracker"})
    started = time.monotonic()
    status, error = None, None
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the office's own URL
            status = response.status
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}"
    except (OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
    elapsed = int((time.monotonic() - started) * 1000)
    ok = status is not None and 200 <= status < 300
    delivery.attempts += 1
    if ok:
        delivery.status, delivery.delivered_at = DeliveryStatus.SENT, now
    else:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, now + backoff(delivery.attempts)
    db.session.add(WebhookAttempt(delivery_id=delivery.id, at=now, status_code=status, response_ms=elapsed,
                                  error=error))
    db.session.flush()
    return ok
