"""Outgoing webhooks against a real HTTP server on loopback: each event arrives once with a signature the
receiver verifies; a receiver that is down gets it later; the delivery log shows both attempts."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from tests.scheduler.sched_helpers import free_port, send

from tracker.errors import Invalid, NotAllowed
from tracker.extensions import db
from tracker.models import DeliveryStatus, ItemStatus, Role, WebhookAttempt, WebhookDelivery
from tracker.services.ledger import notifications, outbound, webhooks
from tracker.services.work import workflow

ALLOW = outbound.AllowList.parse("127.0.0.1, x.example")  # receivers on loopback, and one never called


def verified(secret: str, headers, body: bytes, *, now: float | None = None, max_age: int = 300) -> bool:
    """What the README's receiver checks: the signature over "<timestamp>.<body>", and a timestamp at most five
    minutes old (a replayed request is refused)."""
    timestamp = headers.get("X-Tracker-Timestamp", "")
    if not timestamp.isascii() or not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > max_age:
        return False
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers.get("X-Tracker-Signature", ""))


class Receiver:
    """A city's bridge: verifies each POST's signature with the shared secret and keeps what it got."""

    def __init__(self, port: int, secret: str) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                good = verified(secret, self.headers, body)
                received.append((self.headers["X-Tracker-Delivery"], json.loads(body), good))
                self.send_response(204 if good else 401)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def port() -> int:
    return free_port()


def returned_item(make_item, office, now):
    item = make_item(status=ItemStatus.SUBMITTED, title="钉钉桥接事项")
    workflow.move(item, actor=office, to=ItemStatus.IN_PROGRESS, expected_version=item.version, now=now,
                  note="材料不全")
    db.session.commit()  # deliveries go out after the commit, from the scheduler
    return item


def test_each_event_arrives_once_signed_and_the_log_shows_it(make_item, office, now, port, unit, settings):
    hook = webhooks.register(actor=office, url=f"http://127.0.0.1:{port}/hook", events=["item_returned"],
                             unit_id=unit("sfj").id, now=now, kinds=notifications.KINDS, allow=ALLOW)
    item = returned_item(make_item, office, now)
    receiver = Receiver(port, hook.secret)
    try:
        assert send(settings, "webhook", now=now) == {"sent": 1, "failed": 0}
        assert send(settings, "webhook", now=now + timedelta(hours=1)) == {"sent": 0, "failed": 0}
    finally:
        receiver.stop()
    ((delivery_id, payload, good),) = receiver.received
    assert good and payload["event"] == "item_returned" and payload["item"]["id"] == item.id
    assert payload["unit"]["name"] == "市司法局" and "材料不全" in payload["text"]
    (attempt,) = db.session.scalars(sa.select(WebhookAttempt)).all()
    assert attempt.status_code == 204 and attempt.response_ms >= 0 and str(attempt.delivery_id) == delivery_id


def test_a_receiver_that_is_down_gets_the_event_later(make_item, office, now, port, settings):
    hook = webhooks.register(actor=office, url=f"http://127.0.0.1:{port}/hook", events=["item_returned"],
                             unit_id=None, now=now, kinds=notifications.KINDS, allow=ALLOW)
    returned_item(make_item, office, now)
    assert send(settings, "webhook", now=now) == {"sent": 0, "failed": 1}
    assert send(settings, "webhook", now=now + timedelta(seconds=30)) == {"sent": 0, "failed": 0}  # backing off
    receiver = Receiver(port, hook.secret)
    try:
        assert send(settings, "webhook", now=now + timedelta(minutes=2)) == {"sent": 1, "failed": 0}
    finally:
        receiver.stop()
    assert len(receiver.received) == 1 and receiver.received[0][2]
    (delivery,) = db.session.scalars(sa.select(WebhookDelivery)).all()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 2
    log = webhooks.attempts_log(actor=office)
    assert [(a.status_code, a.error is None) for a, _d, _h in log] == [(204, True), (None, False)]


def test_a_hook_for_another_unit_or_another_event_gets_nothing(make_item, office, now, unit):
    webhooks.register(actor=office, url="http://127.0.0.1:9/gaj", events=["item_returned"],
                      unit_id=unit("gaj").id, now=now, kinds=notifications.KINDS, allow=ALLOW)
    webhooks.register(actor=office, url="http://127.0.0.1:9/approved", events=["item_approved"],
                      unit_id=None, now=now, kinds=notifications.KINDS, allow=ALLOW)
    returned_item(make_item, office, now)
    assert db.session.scalars(sa.select(WebhookDelivery)).all() == []


def test_only_the_office_registers_and_bad_input_is_refused(office, make_user, now):
    with pytest.raises(NotAllowed):
        webhooks.register(actor=make_user(Role.UNIT_ADMIN, "sfj"), url="https://x.example/h",
                          events=["item_returned"], unit_id=None, now=now, kinds=notifications.KINDS, allow=ALLOW)
    for url, events in (("ftp://x.example/h", ["item_returned"]), ("https://x.example/h", []),
                        ("https://x.example/h", ["everything"])):
        with pytest.raises(Invalid):
            webhooks.register(actor=office, url=url, events=events, unit_id=None, now=now, kinds=notifications.KINDS,
                              allow=ALLOW)
    assert webhooks.list_hooks(actor=office) == []


def test_the_office_registers_through_the_api_and_bad_input_changes_nothing(app, office, now):
    from tests.api.api_helpers import ApiClient, assert_error
    from tracker.services.trust import accounts
    _token, secret = accounts.create_token(office, name="hooks", actor=office, now=now)
    client = ApiClient(app.test_client(), secret)
    assert_error(client.post("/webhooks", json={"url": "javascript:alert(1)", "events": ["item_returned"]}), 422)
    assert_error(client.post("/webhooks", json={"url": "https://x.example/h", "events": ["nope"]}), 422)
    assert_error(client.post("/webhooks", json={"url": "https://x.example/h", "events": ["item_returned"],
                                                "unit_id": 2147483647}), 404)
    assert client.get("/webhooks").get_json() == []
    created = client.post("/webhooks", json={"url": "https://x.example/h", "events": ["item_returned"]}).get_json()
    assert len(created["secret"]) == 64 and created["active"] is True
    assert created["secret_hint"] == "…" + created["secret"][-4:]
    assert client.post(f"/webhooks/{created['id']}/active", json={"active": False}).get_json()["active"] is False
