"""From a scan to a robot message (issue 21): how long a 督办 takes to reach a person's 钉钉 group on loopback.

On a fresh SQLite database of the shipped plan, a unit (市司法局) gets a 钉钉 robot with 加签 pointing at a receiver
on loopback that checks the signature as 钉钉 does and answers `{"errcode": 0}`; an item of that unit due
yesterday names a person responsible who chose the robot. The clock stands at CLOCK_AT (TRACKER_CLOCK_AT), a
day inside the shipped plan. Two paths are timed, each from the moment the scan is
started to the moment the receiver has the message:

1. the scheduler's own scan: `flask tracker scheduler` started on a database it never ran on (its first start
   scans today, then its delivery round sends), timed from the process start (app start-up included);
2. a scan from the command line while the scheduler runs: `flask tracker scan-overdue`, timed from the command's
   start; the running scheduler sends at its next tick (every 30 s at most).

    .venv/bin/python bench/reach_bench.py
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.reach_helpers import Loopback  # noqa: E402  (the tests' receiver: one loopback server for both)

SECRET = "SECbench0123456789"
CLOCK_AT = "2025-06-03T09:00:00"

SEED = """
import sys
from datetime import timedelta
import sqlalchemy as sa
from tracker import create_app
from tracker.clock import utcnow
from tracker.extensions import db
from tracker.models import Phase, Role, Task, Unit
from tracker.services.ledger import outbound, reach_config
from tracker.services.trust import accounts
from tracker.services.work import items
from tracker.services.work.deadlines import local_today
url, title = sys.argv[1], sys.argv[2]
app = create_app()
with app.app_context():
    now = utcnow()
    unit = db.session.scalars(sa.select(Unit).where(Unit.key == "sfj")).one()
    office_unit = db.session.scalars(sa.select(Unit).where(Unit.key == "office")).one()
    hasher = accounts.make_hasher(fast=True)
    office = accounts.create_user(username=f"bench_office_{title}", display_name="牵头办", role=Role.OFFICE_ADMIN,
                                  unit=office_unit, password="Correct-Horse-9", hasher=hasher, actor=None, now=now)
    person = accounts.create_user(username=f"bench_person_{title}", display_name="责任人甲", role=Role.UNIT_MEMBER,
                                  unit=unit, password="Correct-Horse-9", hasher=hasher, actor=None, now=now)
    task = db.session.scalars(sa.select(Task).order_by(Task.id)).first()
    phase = db.session.scalars(sa.select(Phase).where(Phase.plan_id == task.plan_id).order_by(Phase.seq)).all()[1]
    (item,) = items.create_items(actor=office, task=task, phase=phase, units=[unit], title=title,
                                 due_date=local_today(now, "Asia/Shanghai") - timedelta(days=int(sys.argv[4])), now=now)
    item.responsible_user_id = person.id
    reach_config.choose(actor=person, channels=["dingtalk"], mobile="13800001111", now=now)
    reach_config.configure(actor=office, unit_id=unit.id, kind="dingtalk", url=url, secret=sys.argv[3], now=now,
                           allow=outbound.AllowList.parse("127.0.0.1"))
    db.session.commit()
"""


TRAIL = """
import dataclasses, sys
from datetime import timedelta
from zoneinfo import ZoneInfo
import sqlalchemy as sa
from tracker import create_app
from tracker.clock import utcnow
from tracker.extensions import db
from tracker.models import AccountabilityRecord, WorkItem
from tracker.scheduler import delivery
from tracker.services.ledger import reach, robots
from tracker.settings import settings
def t(moment):
    return moment and f"{moment.astimezone(ZoneInfo('Asia/Shanghai')):%m-%d %H:%M:%S}"
app = create_app()
with app.app_context():
    assert app.test_client().get(sys.argv[1]).status_code == 303  # the link, as a phone follows it
    s = dataclasses.replace(settings(), sms=robots.SmsGateway(sys.argv[2], "bench-key"))
    later = utcnow() + timedelta(hours=25)
    delivery.resend_unread(s, now=later)
    delivery.deliver(delivery.channels_of(s)["person_message"], holder="bench", now=later)
    item = db.session.scalars(sa.select(WorkItem).where(WorkItem.title == "路径一")).one()
    for record in db.session.scalars(sa.select(AccountabilityRecord).where(AccountabilityRecord.item_id == item.id,
                                     AccountabilityRecord.level.in_([2, 3])).order_by(AccountabilityRecord.level)):
        for told in reach.trail(record.id):
            print(f"   {record.level_name}: {told.unit_name} told {t(told.notification.created_at)}, "
                  f"read {t(told.notification.read_at)} by {told.read_by}")
            for m, name in told.messages:
                print(f"     → {name} by {m.channel} (round {m.round}): {m.status.value}, delivered "
                      f"{t(m.delivered_at)}, link followed {t(m.read_at)}")
"""


def robot_messages(robot: Loopback) -> list[tuple[float, str, bool]]:
    """What 钉钉 on loopback got: (arrival, monotonic; text; signed as 钉钉 checks timestamp + sign) each."""
    got = []
    for request in list(robot.received):
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(request["path"]).query)
        ts = query["timestamp"][0]
        sign = base64.b64encode(hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256)
                                .digest()).decode()
        got.append((request["at"], json.loads(request["body"])["markdown"]["text"], query["sign"][0] == sign))
    return got


def first_message(robot: Loopback, title: str, timeout: float) -> tuple[float, str, bool] | None:
    """The first message naming `title` the robot got within `timeout` seconds, or None."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = [g for g in robot_messages(robot) if title in g[1]]
        if found:
            return found[0]
        time.sleep(0.05)
    return None


def env_for(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKER_", "DATABASE_URL"))}
    env.update(DATABASE_URL=f"sqlite:///{folder / 'tracker.db'}", TRACKER_INSTANCE_PATH=str(folder),
               SECRET_KEY="bench", FLASK_APP="wsgi.py", TRACKER_WEBHOOK_ALLOW="127.0.0.1",
               TRACKER_PUBLIC_URL="https://dbkb.example.gov.cn",
               # the shipped plan runs 2023-2025: the clock stands on a day inside it (as the demo's does)
               TRACKER_CLOCK_AT=CLOCK_AT)
    return env


def flask(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(ROOT / ".venv/bin/flask"), *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="reach-bench-"))
    env = env_for(folder)
    try:
        with Loopback() as robot, Loopback() as gateway:
            robot_url = robot.url("/robot/send?access_token=bench")
            for args in (["db", "upgrade"], ["tracker", "load-units"], ["tracker", "load-plan"]):
                flask(env, *args)
            subprocess.run([str(ROOT / ".venv/bin/python"), "-c", SEED, robot_url, "路径一", SECRET, "16"], cwd=ROOT,
                           env=env, check=True)
            started = time.monotonic()
            scheduler = subprocess.Popen([str(ROOT / ".venv/bin/flask"), "tracker", "scheduler"], cwd=ROOT, env=env,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                got = first_message(robot, "路径一", timeout=120)
                print(f"1. scheduler's scan (first start) → robot: "
                      f"{'%.2f s' % (got[0] - started) if got else 'nothing in 120 s'}; signed as 钉钉 checks: "
                      f"{got[2] if got else '-'}")
                subprocess.run([str(ROOT / ".venv/bin/python"), "-c", SEED, robot_url, "路径二", SECRET, "1"],
                               cwd=ROOT, env=env, check=True)
                started = time.monotonic()
                flask(env, "tracker", "scan-overdue")
                scanned = time.monotonic()
                got = first_message(robot, "路径二", timeout=120)
                print(f"2. `flask tracker scan-overdue` → robot: "
                      f"{'%.2f s' % (got[0] - started) if got else 'nothing in 120 s'} (the command itself took "
                      f"{scanned - started:.2f} s; then the running scheduler's next tick)")
            finally:
                scheduler.terminate()
                scheduler.wait(timeout=30)
            notice = next(t for _at, t, _ok in robot_messages(robot) if "督办:《路径一》" in t)
            link = notice.split("](")[1].split(")")[0]
            print(f"3. the 督办's link followed ({urllib.parse.urlsplit(link).path}), and 25 hours later the 催办, "
                  "still unread, goes again by SMS; the ledger's trails:")
            subprocess.run([str(ROOT / ".venv/bin/python"), "-c", TRAIL, urllib.parse.urlsplit(link).path,
                            gateway.url("/sms")], cwd=ROOT, env=env, check=True)
            print(f"   the SMS gateway got: {[json.loads(r['body']) for r in gateway.received]}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
