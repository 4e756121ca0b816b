"""Web writes while the scheduler talks to slow outside servers (issue 19 point 1), measured from outside.

For each outside server that misbehaves (a webhook receiver that sleeps 10 s on each answer, one that trickles a
header byte every 5 s, an SMTP server that takes 12 s over each message), this starts the tracker as `make run`
does (gunicorn with tracker/gunicorn_conf.py and `flask tracker scheduler`) on a fresh SQLite database of the
shipped plan, with a hook (or mails) waiting to be sent to that server, waits until the scheduler is talking to it,
then signs in with a wrong password over and over for `--seconds` (each failed sign-in is stored: a write) and
prints the latency of those writes (p50, p95, max) and how many answered 500. Then it stops the scheduler with
SIGTERM and prints how long it took to exit.

    .venv/bin/python bench/outbound_bench.py [--root PATH-OF-A-CHECKOUT] [--seconds 30]

`--root` runs another checkout (set up with `make install`) the same way, e.g. be448bd for the figures before.
"""
from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.scheduler.sched_helpers import Trickler, free_port  # noqa: E402  (the tests' own trickling receiver)

SEED = """
from tracker import create_app
from tracker.clock import utcnow
from tracker.extensions import db
from tracker.models import DeliveryStatus, Notification, NotificationMail, Unit, Webhook, WebhookDelivery
import sqlalchemy as sa, sys
kind, target, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
app = create_app()
with app.app_context():
    now = utcnow()
    unit = db.session.scalars(sa.select(Unit).order_by(Unit.id)).first()
    hook = None
    if kind == "webhook":
        hook = Webhook(url=target, unit_id=None, events=["item_returned"], secret="k" * 64, active=True, created_at=now)
        db.session.add(hook); db.session.flush()
    for n in range(count):
        note = Notification(unit_id=unit.id, kind="item_returned", text=f"bench {n}", created_at=now, batch_key=f"b{n}")
        db.session.add(note); db.session.flush()
        if hook is not None:
            db.session.add(WebhookDelivery(webhook_id=hook.id, notification_id=note.id, event="item_returned",
                                           body="{}", created_at=now, status=DeliveryStatus.PENDING, attempts=0,
                                           next_attempt_at=now))
        else:
            db.session.add(NotificationMail(batch_key=f"b{n}", unit_id=unit.id, address=f"u{n}@bench.example",
                                            created_at=now, status=DeliveryStatus.PENDING, attempts=0))
    db.session.commit()
"""


class Sleeper:
    def __init__(self, seconds: float) -> None:
        self.connected = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                outer.connected.set()
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                time.sleep(seconds)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class SlowSmtp:
    def __init__(self, seconds: float) -> None:
        from aiosmtpd.controller import Controller

        self.connected = threading.Event()
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                outer.connected.set()
                await asyncio.sleep(seconds)
                return "250 OK"

        self.port = free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


def prepared_database(root: Path, folder: Path) -> Path:
    """The shipped plan migrated and loaded, and the scheduler's first start done (its scan of today), once."""
    env = base_env(root, folder)
    for args in (["db", "upgrade"], ["tracker", "load-units"], ["tracker", "load-plan"],
                 ["tracker", "scheduler", "--once"]):
        subprocess.run([str(root / ".venv/bin/flask"), *args], cwd=root, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return folder / "tracker.db"


def base_env(root: Path, folder: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "DATABASE_URL"))}
    env.update(DATABASE_URL=f"sqlite:///{folder / 'tracker.db'}", TRACKER_INSTANCE_PATH=str(folder),
               SECRET_KEY="bench", FLASK_APP="wsgi.py", TRACKER_WEBHOOK_ALLOW="127.0.0.1", **extra)
    return env


def failed_sign_in(opener: urllib.request.OpenerDirector, base: str) -> tuple[float, int]:
    page = opener.open(f"{base}/login", timeout=60).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    data = urllib.parse.urlencode({"csrf_token": token.group(1) if token else "", "username": "office",
                                   "password": "wrong password"}).encode()
    started = time.perf_counter()
    try:
        with opener.open(f"{base}/login", data=data, timeout=60) as answer:
            status = answer.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return time.perf_counter() - started, status


def scenario(root: Path, template: Path, name: str, server, kind: str, seconds: float) -> None:
    folder = Path(tempfile.mkdtemp(prefix="outbound-bench-"))
    shutil.copyfile(template, folder / "tracker.db")
    port = free_port()
    extra = {"TRACKER_BIND": f"127.0.0.1:{port}"}
    if kind == "mail":
        extra.update(TRACKER_SMTP_HOST="127.0.0.1", TRACKER_SMTP_PORT=str(server.port))
    env = base_env(root, folder, **extra)
    subprocess.run([str(root / ".venv/bin/python"), "-c", SEED, "webhook" if kind == "webhook" else "mail",
                    server.url, "20"], cwd=root, env=env, check=True)
    web = subprocess.Popen([str(root / ".venv/bin/gunicorn"), "-c", "python:tracker.gunicorn_conf", "wsgi:app"],
                           cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    scheduler = subprocess.Popen([str(root / ".venv/bin/flask"), "tracker", "scheduler"], cwd=root, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        deadline = time.monotonic() + 60
        while True:
            try:
                opener.open(f"{base}/login", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        if not server.connected.wait(90):
            print(f"{name}: the scheduler never reached the server")
            return
        took, statuses = [], []
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            t, status = failed_sign_in(opener, base)
            took.append(t * 1000)
            statuses.append(status)
        took.sort()
        p95 = took[min(len(took) - 1, int(len(took) * 0.95))]
        print(f"{name:34} writes {len(took):4}  p50 {statistics.median(took):8.1f} ms  p95 {p95:8.1f} ms  "
              f"max {took[-1]:8.1f} ms  500s {statuses.count(500)}")
    finally:
        stopped = time.monotonic()
        scheduler.send_signal(signal.SIGTERM)
        try:
            scheduler.wait(timeout=60)
            print(f"{'':34} scheduler exited {time.monotonic() - stopped:.1f} s after SIGTERM")
        except subprocess.TimeoutExpired:
            print(f"{'':34} scheduler still running 60 s after SIGTERM; killed")
            scheduler.kill()
            scheduler.wait()
        web.send_signal(signal.SIGTERM)
        web.wait(timeout=30)
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def checkout_line(root: Path) -> str:
    """What was measured and on what: the checkout and its commit, the cores and the load when it began."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True).stdout
    return f"checkout {root} at {commit.strip()}; {os.cpu_count()} cores; load {os.getloadavg()[0]:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    root = args.root.resolve()
    print(checkout_line(root))
    folder = Path(tempfile.mkdtemp(prefix="outbound-bench-template-"))
    try:
        template = prepared_database(root, folder)
        scenario(root, template, "receiver sleeping 10 s", Sleeper(10), "webhook", args.seconds)
        scenario(root, template, "receiver trickling a byte / 5 s", Trickler(5), "webhook", args.seconds)
        scenario(root, template, "SMTP taking 12 s a message", SlowSmtp(12), "mail", args.seconds)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
