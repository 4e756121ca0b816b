"""Outgoing webhooks: the office registers URLs and reads the delivery log."""
from __future__ import annotations

from typing import Any


from ..clock import utcnow
from ..models import DeliveryStatus, Webhook
from ..services.ledger import notifications, webhooks
from .auth import actor
from .common import api_blueprint, errors
from ..schemas.webhooks import ActiveIn, AttemptOut, WebhookIn, WebhookOut, WebhookWithSecretOut
from ..settings import settings

blp = api_blueprint("webhooks", "Outgoing webhooks (the office's)")


@blp.route("/webhooks")
@blp.response(200, WebhookOut(many=True))
@errors(blp, 403)
def list_hooks() -> list[Webhook]:
    return webhooks.list_hooks(actor=actor())


@blp.route("/webhooks", methods=["POST"])
@blp.arguments(WebhookIn)
@blp.response(201, WebhookWithSecretOut)
@errors(blp, 403, 404)
def register(data: dict[str, Any]) -> Webhook:
    """A new hook with its own signing secret, for one unit or (unit_id null) for all. The secret is in this
    answer only; afterwards the hook shows `secret_hint`. The URL must reach public addresses only, unless
    TRACKER_WEBHOOK_ALLOW names the private receiver (422 otherwise)."""
    return webhooks.register(actor=actor(), url=data["url"], events=data["events"], unit_id=data["unit_id"],
                             now=utcnow(), kinds=notifications.KINDS,
                             allow=settings().webhook_allow)


@blp.route("/webhooks/<id:hook_id>/secret", methods=["POST"])
@blp.response(200, WebhookWithSecretOut)
@errors(blp, 403, 404)
def rotate_secret(hook_id: int) -> Webhook:
    """A new signing secret, shown in this answer only; the old one stops signing at once."""
    return webhooks.rotate_secret(webhooks.get_hook(hook_id, actor=actor()), actor=actor(), now=utcnow())


@blp.route("/webhooks/<id:hook_id>/active", methods=["POST"])
@blp.arguments(ActiveIn)
@blp.response(200, WebhookOut)
@errors(blp, 403, 404)
def set_active(data: dict[str, Any], hook_id: int) -> Webhook:
    return webhooks.set_active(webhooks.get_hook(hook_id, actor=actor()), actor=actor(), active=data["active"],
                               now=utcnow())


@blp.route("/webhooks/attempts")
@blp.response(200, AttemptOut(many=True))
@errors(blp, 403)
def attempts() -> list[dict[str, Any]]:
    """The newest 100 delivery attempts: status, response time, error."""
    return [{"at": a.at, "webhook_id": h.id, "delivery_id": d.id, "event": d.event, "status_code": a.status_code,
             "response_ms": a.response_ms, "error": a.error, "delivered": d.status == DeliveryStatus.SENT}
            for a, d, h in webhooks.attempts_log(actor=actor())]
