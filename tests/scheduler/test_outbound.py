"""Nothing outside can stop the tracker: slow receivers, trickling receivers, a slow mail server and hostile URLs
leave every web write working, each delivery is sent once by two schedulers, and a stop is a stop (issue 19).

These run on a database of their own with real commits (committed_app), since what they show is what one
process's open transaction does to another's writes.
"""
from __future__ import annotations

import asyncio
import re
import signal
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask
from tests import servers
from tests.scheduler.sched_helpers import Trickler, free_port

from tracker.clock import utcnow
from tracker.errors import Invalid
from tracker.extensions import db
from tracker.models import (DeliveryStatus, Notification, NotificationMail, Unit, Webhook, WebhookAttempt,
                            WebhookDelivery)
from tracker.scheduler import delivery, jobs
from tracker.services.ledger import notifications, outbound, webhooks
from tracker.services.ledger.mail import SmtpSettings
from tracker.settings import settings as settings_of

LOOPBACK = outbound.AllowList.parse("127.0.0.1")
NOTHING_PRIVATE = outbound.AllowList()


class Receiver:
    """An HTTP receiver on loopback that takes `delay` seconds to answer each POST and counts what it got."""

    def __init__(self, *, delay: float = 0.0, status: int = 204, location: str = "") -> None:
        self.port = free_port()
        self.received: list[str] = []
        self.connected = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
                outer.connected.set()
                self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(delay)
                outer.received.append(self.headers["X-Tracker-Delivery"])
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def running(*things: Receiver | Trickler) -> Iterator[None]:
    try:
        yield
    finally:
        for thing in things:
            thing.stop()


def hook_with_deliveries(app: Flask, url: str, count: int = 1, *, events: tuple[str, ...] = ("item_returned",)
                         ) -> list[int]:
    """A hook stored as it is (bypassing registration, as an old row or a hand edit would be) with `count`
    deliveries due now; returns their ids."""
    with app.app_context():
        now = utcnow()
        unit = db.session.scalars(sa.select(Unit).order_by(Unit.id)).first()
        hook = Webhook(url=url, unit_id=None, events=list(events), secret="k" * 64, active=True, created_at=now)
        db.session.add(hook)
        db.session.flush()
        ids = []
        for n in range(count):
            note = Notification(unit_id=unit.id, kind=events[0], text=f"通知{n}", created_at=now, batch_key=f"t{n}")
            db.session.add(note)
            db.session.flush()
            row = WebhookDelivery(webhook_id=hook.id, notification_id=note.id, event=events[0], body="{}",
                                  created_at=now, status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now)
            db.session.add(row)
            db.session.flush()
            ids.append(row.id)
        db.session.commit()
        db.session.remove()
        return ids


def in_background(app: Flask, channel: delivery.Channel, *, holder: str = "background",
                  stop: threading.Event | None = None) -> tuple[threading.Thread, dict]:
    result: dict = {}

    def run() -> None:
        with app.app_context():
            started = time.monotonic()
            result["counts"] = delivery.deliver(channel, holder=holder, stop=stop)
            result["seconds"] = time.monotonic() - started
            db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def web_writes_answer_promptly(app: Flask, times: int = 3) -> list[float]:
    """Writes through the web while the scheduler sends: a failed sign-in is stored (it counts toward the
    lockout), so it takes the write lock. Each must answer in words, not 'database is locked' after 10 s."""
    client = app.test_client()
    took = []
    for _ in range(times):
        started = time.monotonic()
        response = client.post("/login", data={"username": "office", "password": "wrong password"})
        took.append(time.monotonic() - started)
        assert response.status_code < 500, response.get_data(as_text=True)[:300]
    with app.app_context():
        url = db.engine.url
        db.session.remove()
    if url.get_backend_name() == "sqlite":  # and the lock itself is free: another writer gets it at once
        probe = sqlite3.connect(url.database, timeout=0.5, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
        finally:
            probe.close()
    return took


def delivery_rows(app: Flask, ids: list[int]) -> list[WebhookDelivery]:
    with app.app_context():
        rows = list(db.session.scalars(sa.select(WebhookDelivery).where(WebhookDelivery.id.in_(ids))
                                       .order_by(WebhookDelivery.id)))
        for row in rows:
            db.session.expunge(row)
        db.session.remove()
    return rows


def test_web_writes_answer_while_a_receiver_sleeps_on_its_answer(committed_app):
    receiver = Receiver(delay=4)
    ids = hook_with_deliveries(committed_app, receiver.url)
    with running(receiver):
        thread, result = in_background(committed_app, delivery.Webhooks(LOOPBACK))
        assert receiver.connected.wait(10)
        took = web_writes_answer_promptly(committed_app)
        thread.join(30)
    assert max(took) < 3, took
    assert result["counts"] == {"sent": 1, "failed": 0}
    assert [row.status for row in delivery_rows(committed_app, ids)] == [DeliveryStatus.SENT]


def test_a_trickling_receiver_is_cut_off_at_the_deadline_and_writes_go_on_meanwhile(committed_app):
    trickler = Trickler()
    ids = hook_with_deliveries(committed_app, trickler.url)
    with running(trickler):
        thread, result = in_background(committed_app, delivery.Webhooks(LOOPBACK, seconds=3))
        assert trickler.connected.wait(10)
        took = web_writes_answer_promptly(committed_app)
        thread.join(30)
        assert not thread.is_alive()
    assert max(took) < 3, took
    assert result["counts"] == {"sent": 0, "failed": 1} and result["seconds"] < 6
    (row,) = delivery_rows(committed_app, ids)
    assert row.status == DeliveryStatus.FAILED and row.attempts == 1 and row.claimed_by is None
    with committed_app.app_context():
        (attempt,) = db.session.scalars(sa.select(WebhookAttempt).where(WebhookAttempt.delivery_id == ids[0]))
        assert "超过 3 秒未完成" in attempt.error and 2500 <= attempt.response_ms < 6000
        db.session.remove()


class SlowMailServer:
    """aiosmtpd taking `delay` seconds over each message's DATA."""

    def __init__(self, delay: float) -> None:
        self.messages: list[bytes] = []
        self.started = threading.Event()
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
                outer.started.set()
                await asyncio.sleep(delay)
                outer.messages.append(envelope.content)
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


def test_web_writes_answer_while_the_mail_server_takes_its_time(committed_app):
    server = SlowMailServer(delay=3)
    with committed_app.app_context():
        unit = db.session.scalars(sa.select(Unit).order_by(Unit.id)).first()
        for n in range(2):
            db.session.add(NotificationMail(batch_key=f"slow{n}", unit_id=unit.id, address=f"u{n}@xx.example.gov.cn",
                                            created_at=utcnow(), status=DeliveryStatus.PENDING, attempts=0))
            db.session.add(Notification(unit_id=unit.id, kind="item_returned", text="退回", created_at=utcnow(),
                                        batch_key=f"slow{n}"))
        db.session.commit()
        db.session.remove()
    smtp = SmtpSettings(host="127.0.0.1", port=server.port, sender="tracker@xx.example.gov.cn", timeout=10)
    try:
        thread, result = in_background(committed_app, delivery.NotificationMails(smtp))
        assert server.started.wait(10)
        took = web_writes_answer_promptly(committed_app)
        thread.join(30)
    finally:
        server.stop()
    assert max(took) < 3, took
    assert result["counts"] == {"sent": 2, "failed": 0} and len(server.messages) == 2


def test_two_schedulers_sending_at_once_post_each_delivery_once(committed_app):
    """The worst case of a standby taking over mid-round: both send at the same time. Claims keep them apart."""
    receiver = Receiver(delay=0.2)
    ids = hook_with_deliveries(committed_app, receiver.url, count=10)
    with running(receiver):
        first = in_background(committed_app, delivery.Webhooks(LOOPBACK), holder="scheduler-a")
        second = in_background(committed_app, delivery.Webhooks(LOOPBACK), holder="scheduler-b")
        for thread, _ in (first, second):
            thread.join(60)
    assert sorted(receiver.received, key=int) == [str(i) for i in ids]  # each once
    assert first[1]["counts"]["sent"] + second[1]["counts"]["sent"] == 10
    assert [(row.status, row.attempts, row.claimed_by) for row in delivery_rows(committed_app, ids)] == \
        [(DeliveryStatus.SENT, 1, None)] * 10


def test_a_scheduler_that_lost_its_lease_sends_nothing_more_and_gives_its_claims_back(app, settings):
    receiver = Receiver()
    ids = hook_with_deliveries(app, receiver.url, count=3)
    answers = iter([True, False])
    with running(receiver):
        counts = delivery.deliver(delivery.Webhooks(LOOPBACK), holder="losing", still_leader=lambda: next(answers))
    assert counts == {"sent": 1, "failed": 0} and len(receiver.received) == 1
    rows = db.session.scalars(sa.select(WebhookDelivery).where(WebhookDelivery.id.in_(ids))).all()
    assert sorted(row.status for row in rows) == sorted([DeliveryStatus.SENT] + [DeliveryStatus.PENDING] * 2)
    assert all(row.claimed_by is None and row.claimed_until is None for row in rows)


def test_a_url_with_a_space_or_a_line_break_fails_alone_and_holds_up_nothing(app, settings):
    """Stored before URLs were checked: the delivery fails in words (an attempt recorded, no exception out of
    the round, so the tick goes on to the mail channels), and the healthy hook after it gets its deliveries."""
    good = Receiver()
    broken = (hook_with_deliveries(app, "http://127.0.0.1:9/a b")
              + hook_with_deliveries(app, "http://127.0.0.1:9/\r\nX: 1"))
    healthy = hook_with_deliveries(app, good.url, count=3)
    with running(good):
        counts = delivery.deliver(delivery.Webhooks(LOOPBACK), holder="tick")
    assert counts == {"sent": 3, "failed": 2} and sorted(good.received, key=int) == [str(i) for i in healthy]
    for row in db.session.scalars(sa.select(WebhookDelivery).where(WebhookDelivery.id.in_(broken))):
        assert row.status == DeliveryStatus.FAILED and row.attempts == 1
        (attempt,) = db.session.scalars(sa.select(WebhookAttempt).where(WebhookAttempt.delivery_id == row.id))
        assert attempt.error == "网址不能含空格或控制字符"


INTERNAL = ["127.0.0.1", "localhost", "0x7f000001", "2130706433", "0", "[::1]", "169.254.169.254", "10.1.2.3",
            "192.168.0.1", "[::ffff:127.0.0.1]", "224.0.0.1"]


@pytest.mark.parametrize("host", INTERNAL)
def test_an_internal_address_in_any_spelling_is_refused_at_registration(office, now, host):
    with pytest.raises(Invalid) as refused:
        webhooks.register(actor=office, url=f"http://{host}:5432/hook", events=["item_returned"], unit_id=None,
                          now=now, kinds=notifications.KINDS, allow=NOTHING_PRIVATE)
    assert "内网" in refused.value.message_zh or "无法解析" in refused.value.message_zh
    assert webhooks.list_hooks(actor=office) == []


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/a b", "http://x.example/\r\nHost: evil", "ftp://x.example/",
                                 "http://user:pw@x.example/", "http://x.example:99999/", "http:///nohost"])
def test_a_malformed_url_is_refused_at_registration_in_words(office, now, url):
    with pytest.raises(Invalid) as refused:
        webhooks.register(actor=office, url=url, events=["item_returned"], unit_id=None, now=now,
                          kinds=notifications.KINDS, allow=outbound.AllowList.parse("x.example 127.0.0.1"))
    assert refused.value.fields["url"]


def test_an_internal_address_is_refused_at_send_time_without_connecting(app, settings):
    """A hook stored before the rule (or allowed then, and not any more) is not called: the attempt is logged in
    the same words as at registration, with no connection made, so the log cannot map the internal network."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    port = listener.getsockname()[1]
    ids = hook_with_deliveries(app, f"http://127.0.0.1:{port}/hook")
    try:
        counts = delivery.deliver(delivery.Webhooks(NOTHING_PRIVATE), holder="tick")
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()
    assert counts == {"sent": 0, "failed": 1}
    (attempt,) = db.session.scalars(sa.select(WebhookAttempt).where(WebhookAttempt.delivery_id == ids[0]))
    assert attempt.status_code is None and attempt.error.startswith("不允许向内网")


def test_a_redirect_is_not_followed(app, settings):
    inside = Receiver()
    redirecting = Receiver(status=302, location=inside.url)
    ids = hook_with_deliveries(app, redirecting.url)
    with running(inside, redirecting):
        counts = delivery.deliver(delivery.Webhooks(LOOPBACK), holder="tick")
    assert counts == {"sent": 0, "failed": 1} and inside.received == []
    (attempt,) = db.session.scalars(sa.select(WebhookAttempt).where(WebhookAttempt.delivery_id == ids[0]))
    assert attempt.status_code == 302 and "不跟随重定向" in attempt.error


def test_the_allow_list_names_networks_and_hosts_and_refuses_what_is_neither():
    allow = outbound.AllowList.parse("10.20.0.0/16, bridge.zw.example.gov.cn")
    assert allow.admits("any", outbound.ipaddress.ip_address("10.20.3.4"))
    assert allow.admits("bridge.zw.example.gov.cn", outbound.ipaddress.ip_address("192.168.1.1"))
    assert not allow.admits("other", outbound.ipaddress.ip_address("10.21.0.1"))
    with pytest.raises(ValueError, match="neither a CIDR nor a host name"):
        outbound.AllowList.parse("10.0.0.0/8, bad_name!")


def test_the_secret_is_shown_once_then_masked_and_can_be_rotated(app, office, now):
    from tests.api.api_helpers import ApiClient
    from tracker.models import Event
    from tracker.services.trust import accounts

    _token, token = accounts.create_token(office, name="hooks", actor=office, now=now)
    api = ApiClient(app.test_client(), token)
    created = api.post("/webhooks", json={"url": "https://x.example/h", "events": ["item_returned"]}).get_json()
    assert len(created["secret"]) == 64
    (listed,) = api.get("/webhooks").get_json()
    assert "secret" not in listed and listed["secret_hint"] == "…" + created["secret"][-4:]
    rotated = api.post(f"/webhooks/{created['id']}/secret").get_json()
    assert rotated["secret"] != created["secret"] and len(rotated["secret"]) == 64
    assert db.session.get(Webhook, created["id"]).secret == rotated["secret"]
    assert db.session.scalars(sa.select(Event.action).where(Event.entity_type == "webhook")).all() == \
        ["webhook.register", "webhook.rotate_secret"]


def readme_verify():
    """The receiver example in the README, run as a city would copy it (its server not started)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    (code,) = [block for block in re.findall(r"```python\n(.*?)```", readme, re.S) if "def verify" in block]
    scope: dict = {"__name__": "readme_example"}
    exec(compile(code, "README.md", "exec"), scope)  # noqa: S102 - our own README's example
    return scope["verify"]


def test_a_delivery_is_signed_with_its_timestamp_and_the_readme_receiver_refuses_a_replay(app, settings):
    verify = readme_verify()
    got: list[tuple[dict, bytes]] = []

    class Keep(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            got.append((dict(self.headers), self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Keep)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        hook_with_deliveries(app, f"http://127.0.0.1:{server.server_address[1]}/hook")
        assert delivery.deliver(delivery.Webhooks(LOOPBACK), holder="tick") == {"sent": 1, "failed": 0}
    finally:
        server.shutdown()
        server.server_close()
    ((headers, body),) = got
    secret = b"k" * 64
    assert verify(secret, headers, body)
    assert not verify(secret, headers, body, now=time.time() + 301)  # replayed six minutes later
    redated = {**headers, "X-Tracker-Timestamp": str(int(headers["X-Tracker-Timestamp"]) + 1)}
    assert not verify(secret, redated, body)  # a replay given a fresh timestamp: the signature no longer fits
    assert not verify(b"x" * 64, headers, body)


def test_the_scheduler_stops_within_seconds_of_sigterm_while_a_receiver_trickles(committed_app, tmp_path):
    trickler = Trickler()
    ids = hook_with_deliveries(committed_app, trickler.url)
    with committed_app.app_context():  # every job's period already done: the tick goes straight to sending
        settings = settings_of(committed_app)
        for job in jobs.JOBS:
            jobs.record_baseline(job, job.latest_due(utcnow(), settings), utcnow())
        db.session.remove()
    log = tmp_path / "scheduler.log"
    with running(trickler), servers.scheduler(committed_app, log, TRACKER_WEBHOOK_ALLOW="127.0.0.1") as child:
        assert trickler.connected.wait(60), log.read_text()[-2000:]
        stopped_at = time.monotonic()
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=20)
        took = time.monotonic() - stopped_at
    assert took < 5, (took, log.read_text()[-2000:])
    (row,) = delivery_rows(committed_app, ids)
    assert row.status != DeliveryStatus.SENT and row.claimed_by is None  # waits, unclaimed, for the next one


def test_a_bad_allow_list_stops_the_start_in_words(tmp_path):
    from tracker import create_app
    from tracker.errors import SettingError

    with pytest.raises(SettingError, match="设置 TRACKER_WEBHOOK_ALLOW 有误:.*is neither a CIDR nor a host name"):
        create_app({"TRACKER_WEBHOOK_ALLOW": "10.0.0.0/8 not a host!", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                    "SECRET_KEY": "x"}, instance_path=str(tmp_path))

