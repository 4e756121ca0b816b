"""`flask tracker demo`: the real database stays untouched, the script is checked, pages say 演示数据."""
from __future__ import annotations

import hashlib
import socket
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from flask import Flask

from tests.demo.demo_helpers import build_demo, rows
from tracker import create_app
from tracker.clock import frozen_time, utcnow
from tracker.demo.build import DemoPaths, build, clock_at, demo_app
from tracker.demo.cli import free_port
from tracker.demo.script import DEFAULT_SCRIPT
from tracker.errors import Invalid
from tracker.extensions import db
from tracker.models import Event, WorkItem
from tracker.services.trust import audit
from tracker.services.plan.seed_files import FileProblems


def _state(app: Flask) -> tuple[int, int, str | None]:
    with app.app_context():
        items = db.session.execute(sa.select(sa.func.count()).select_from(WorkItem)).scalar()
        events = db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar()
        last = db.session.execute(sa.select(Event.hash).order_by(Event.id.desc()).limit(1)).scalar()
        db.session.remove()
        return items or 0, events or 0, last


def test_the_demo_command_leaves_the_real_database_untouched(committed_app: Flask) -> None:
    url = committed_app.config["SQLALCHEMY_DATABASE_URI"]
    real_file = Path(sa.make_url(url).database or "") if url.startswith("sqlite") else None
    before = _state(committed_app)
    file_before = hashlib.sha256(real_file.read_bytes()).hexdigest() if real_file else None

    result = committed_app.test_cli_runner().invoke(args=["tracker", "demo", "--until", "2023-01-05",
                                                          "--no-serve"])

    assert result.exit_code == 0, result.output
    assert "office" in result.output and "Yanshi-2023!" in result.output
    assert _state(committed_app) == before
    if real_file:
        assert hashlib.sha256(real_file.read_bytes()).hexdigest() == file_before
    demo = DemoPaths(Path(committed_app.instance_path))
    assert rows(demo, "SELECT count(*) FROM work_items")[0][0] > 1000


def test_the_demo_refuses_the_real_database_file_and_days_outside_the_plan(tmp_path: Path) -> None:
    paths = DemoPaths(tmp_path)
    with pytest.raises(Invalid):
        build(create_app, paths, until=date(2023, 1, 10), real_url=f"sqlite:///{paths.database}")
    with pytest.raises(Invalid):
        build(create_app, paths, until=date(2026, 1, 10), real_url=None)  # after the plan's end
    assert not paths.database.exists()


def test_a_script_with_problems_is_refused_whole_and_the_old_demo_stays(tmp_path: Path) -> None:
    paths, _result = build_demo(tmp_path / "demo", date(2023, 1, 5))
    before = hashlib.sha256(paths.database.read_bytes()).hexdigest()
    raw = yaml.safe_load(DEFAULT_SCRIPT.read_text(encoding="utf-8"))
    raw["profiles"]["steady"]["on_time"] = 1.5
    raw["profiles"]["laggard"]["fix_days"] = [9, 2]
    raw["units"]["by_key"]["nowhere"] = "steady"
    raw["units"]["default"] = "sloppy"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")

    with pytest.raises(FileProblems) as refused:
        build(create_app, paths, until=date(2023, 1, 5), real_url=None, script_path=bad)
    problems = "\n".join(refused.value.problems)
    assert "profiles.steady.on_time" in problems and "profiles.laggard.fix_days" in problems
    assert hashlib.sha256(paths.database.read_bytes()).hexdigest() == before

    raw["profiles"]["steady"]["on_time"] = 0.5
    raw["profiles"]["laggard"]["fix_days"] = [2, 9]
    bad.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(FileProblems) as refused:
        build(create_app, paths, until=date(2023, 1, 5), real_url=None, script_path=bad)
    assert refused.value.problems == ["units.default: 未定义的 profile “sloppy”",
                                      "units.by_key.nowhere: 单位 “nowhere” 不存在"]


def test_pages_served_on_the_demo_say_demo_data_and_read_the_stopped_clock(tmp_path: Path) -> None:
    paths, result = build_demo(tmp_path, date(2023, 1, 5))
    app = demo_app(create_app, paths, {"TRACKER_CLOCK_AT": result.clock_at, "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    login = client.get("/login")
    assert "演示数据" in login.get_data(as_text=True) and "2023-01-05" in login.get_data(as_text=True)
    answer = client.post("/login", data={"username": "office", "password": "Yanshi-2023!"})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    home = client.get("/")
    assert home.status_code == 200 and 'class="demo-banner"' in home.get_data(as_text=True)
    with app.app_context():
        assert utcnow() == datetime(2023, 1, 5, 10, 0, tzinfo=timezone.utc)
        db.session.remove()
        db.engine.dispose()


def test_a_demo_verifies_its_audit_chain(tmp_path: Path) -> None:
    """Its accounts are made at 09:00 Shanghai time on the first day; every event is hashed as stored (UTC)."""
    paths, _result = build_demo(tmp_path, date(2023, 1, 5))
    app = demo_app(create_app, paths)
    with app.app_context():
        report = audit.verify_chain()
        db.session.remove()
        db.engine.dispose()
    assert report.ok, report
    assert report.checked > 100


def test_real_pages_have_no_banner(app: Flask) -> None:
    assert "demo-banner" not in app.test_client().get("/login").get_data(as_text=True)


def test_the_clock_setting_reads_plain_times_in_the_plan_zone() -> None:
    assert frozen_time("2024-06-30T18:00", "Asia/Shanghai") == datetime(2024, 6, 30, 10, 0, tzinfo=timezone.utc)
    assert frozen_time(clock_at(date(2024, 6, 30), "Asia/Shanghai"), "UTC") == datetime(2024, 6, 30, 10, 0,
                                                                                        tzinfo=timezone.utc)


def test_a_busy_port_is_replaced_by_a_free_one() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        assert free_port("127.0.0.1", busy) != busy
