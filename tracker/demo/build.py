"""Building the demo database: a separate SQLite file under instance/, the shipped units and plan, demo accounts,
then the replay up to the chosen day.

The demo never touches the real database: it builds a second app on `instance/demo.db` and refuses to run when
that would be the database the tracker itself is configured with.
"""
from __future__ import annotations

import hashlib
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from argon2 import PasswordHasher
from flask import Flask
from flask_migrate import upgrade

from ..clock import utcnow
from ..errors import Invalid
from ..extensions import db
from ..models import AccountabilityRecord, Digest, ItemStatus, Plan, Role, Unit, WorkItem
from ..services.assessment import annual
from ..services.trust import accounts
from ..services.trust.security import password_problems
from ..services.plan.loading import DEFAULT_PLAN, DEFAULT_UNITS, load_plan_file, load_units_file
from ..services.plan.plan_files import parse_units
from ..services.plan.seed_files import read_yaml
from ..settings import settings
from .replay import Replay, ReplayReport
from .script import DEFAULT_SCRIPT, Script, read_script

DEMO_DB = "demo.db"
DEMO_FILES = "demo-files"
EVENING = time(18, 0)
LEADER = ("leader", "市领导(只读)", Role.LEADER, "city")
OFFICE = ("office", "领导小组办公室管理员", Role.OFFICE_ADMIN, "office")
MEMBER = ("sfj_member", "市司法局经办人", Role.UNIT_MEMBER, "sfj")


@dataclass(frozen=True)
class DemoPaths:
    instance: Path

    @property
    def database(self) -> Path:
        return self.instance / DEMO_DB

    @property
    def files(self) -> Path:
        return self.instance / DEMO_FILES

    @property
    def url(self) -> str:
        return f"sqlite:///{self.database}"


@dataclass
class DemoResult:
    """What was built: the accounts to log in with and the counts a newcomer will see."""

    until: date
    clock_at: str
    password: str
    accounts: list[tuple[str, str, str]] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)
    digests: int = 0
    replay: ReplayReport = field(default_factory=ReplayReport)
    scores: dict[str, Any] = field(default_factory=dict)  # the last replayed year's assessment, and frozen years


def clock_at(until: date, timezone: str) -> str:
    """The moment the demo's clock stops: 18:00 on the last replayed day, in the plan's time zone."""
    return datetime.combine(until, EVENING, tzinfo=ZoneInfo(timezone)).isoformat()


def refuse_real_database(paths: DemoPaths, real_url: str | None) -> None:
    """Raise Invalid when the demo file is the database the tracker itself is configured with."""
    real = sa.make_url(real_url) if real_url else None
    same_file = (real is not None and real.get_backend_name() == "sqlite" and real.database
                 and Path(real.database).resolve() == paths.database.resolve())
    if same_file:
        raise Invalid("演示数据库不能是正式数据库", "The demo database must not be the real database",
                      code="real_database")


AppFactory = Callable[..., Flask]  # tracker.create_app, handed down by the app that registers the demo command


def demo_app(factory: AppFactory, paths: DemoPaths, extra: dict[str, Any] | None = None) -> Flask:
    """An app on the demo database (never the configured one), mailing nothing, uploads in the demo's folder, and
    no second factor: its accounts share a published password on sample data, for anyone to click through."""
    config = {"SQLALCHEMY_DATABASE_URI": paths.url, "TRACKER_UPLOAD_DIR": str(paths.files),
              "TRACKER_SMTP_HOST": "", "TRACKER_DEMO": True, "TRACKER_TWO_FACTOR_ROLES": "none"} | (extra or {})
    return factory(config, instance_path=str(paths.instance))


def build(factory: AppFactory, paths: DemoPaths, *, until: date, real_url: str | None, script_path: Path = DEFAULT_SCRIPT,
          plan_path: Path = DEFAULT_PLAN, units_path: Path = DEFAULT_UNITS) -> DemoResult:
    """Build the demo from scratch (an old demo database and its files are replaced) and replay it to `until`.

    Raises Invalid for the real database or a day outside the plan, FileProblems for a bad script or seed file;
    in both cases nothing is written.
    """
    refuse_real_database(paths, real_url)
    raw_plan = read_yaml(plan_path)
    start = date.fromisoformat(str(raw_plan["start"]))
    timezone = str(raw_plan.get("timezone", "Asia/Shanghai"))
    if not start <= until <= date.fromisoformat(str(raw_plan["end"])):
        raise Invalid(f"演示日期须在计划起止日期 {raw_plan['start']} 至 {raw_plan['end']} 之内",
                      "The demo date must lie within the plan", fields={"until": ["超出计划起止日期"]})
    units = parse_units(read_yaml(units_path))
    unit_keys = {u["key"] for u in units["units"]}
    script = read_script(script_path, unit_keys=unit_keys, kinds=set(units["kinds"]))
    app = demo_app(factory, paths)
    check_password(app, script.password, unit_keys)
    _remove(paths)
    try:
        with app.app_context():
            return _build(app, paths, script=script, start=start, until=until, timezone=timezone,
                          plan_path=plan_path, units_path=units_path)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _build(app: Flask, paths: DemoPaths, *, script: Script, start: date, until: date, timezone: str,
           plan_path: Path, units_path: Path) -> DemoResult:
    app.config["TRACKER_CLOCK_AT"] = datetime.combine(start, time(9, 0), tzinfo=ZoneInfo(timezone))
    upgrade()
    load_units_file(units_path, now=utcnow())
    plan, _ = load_plan_file(plan_path, now=utcnow())
    result = DemoResult(until=until, clock_at=clock_at(until, timezone), password=script.password)
    result.accounts = _create_accounts(app, plan, script.password, script.seed)
    db.session.commit()
    result.replay = Replay(app, script=script, plan_id=plan.id, until=until, files=paths.files).run(start)
    app.config["TRACKER_CLOCK_AT"] = result.clock_at
    _count(result)
    result.scores = _assess(app, plan, until)
    db.session.commit()
    return result


def _assess(app: Flask, plan: Plan, until: date) -> dict[str, Any]:
    """The office freezes (定稿) every year whose result is final (its indicator figures were due), as it would in
    February; the year replayed last is scored as it stands, for the scores page to show a spread."""
    scoring, ladder = settings(app).rubric, settings(app).ladder
    office = accounts.user_by_name(OFFICE[0])
    now = utcnow()
    frozen = []
    for year in range(plan.start_date.year, until.year):
        if until >= annual.settles_on(plan, year):
            annual.freeze(plan=plan, year=year, rubric=scoring, ladder=ladder, actor=office, now=now)
            frozen.append(year)
    scores = [u["score"] for u in annual.compute(plan=plan, year=until.year, rubric=scoring,
                                                     ladder=ladder, now=now)["units"]]
    return {"year": until.year, "units": len(scores), "highest": scores[0] if scores else None,
            "lowest": scores[-1] if scores else None, "frozen": frozen}


def unit_admin_name(unit_key: str) -> str:
    return f"{unit_key}_staff" if unit_key == OFFICE[3] else f"{unit_key}_admin"


def check_password(app: Flask, password: str, unit_keys: set[str]) -> None:
    """Raise Invalid when the script's password breaks the password rules for any demo login name."""
    policy = settings(app).security
    names = [OFFICE[0], LEADER[0], MEMBER[0], *(unit_admin_name(key) for key in sorted(unit_keys))]
    problems = [f"{name}: {p}" for name in names for p in password_problems(password, name, policy)]
    if problems:
        raise Invalid("演示密码不符合密码规则:" + ";".join(problems), "The demo password breaks the password rules",
                      fields={"password": problems})


class SharedHash(PasswordHasher):
    """Hashes the demo's one published password once, with a salt drawn from the seed.

    Thirty-odd argon2 hashes would be a third of the replay's time, and a seeded salt keeps the users table the
    same from build to build. Acceptable only because the password is public and the data sample data.
    """

    def __init__(self, hasher: PasswordHasher, password: str, seed: int) -> None:
        super().__init__()
        salt = hashlib.sha256(f"{seed}:salt".encode()).digest()[:16]
        self.password, self.hashed = password, hasher.hash(password, salt=salt)

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        assert password == self.password and salt is None
        return self.hashed


def _create_accounts(app: Flask, plan: Plan, password: str, seed: int) -> list[tuple[str, str, str]]:
    """The office, a leader, and an administrator for every unit carrying items (plus one member of 市司法局)."""
    carrying = db.session.scalars(sa.select(Unit).where(Unit.id.in_(
        sa.select(WorkItem.unit_id).where(WorkItem.plan_id == plan.id))).order_by(Unit.id)).all()
    wanted = [OFFICE, LEADER]
    wanted += [(unit_admin_name(u.key), f"{u.short_name}管理员", Role.UNIT_ADMIN, u.key) for u in carrying]
    wanted.append(MEMBER)
    now = app.config["TRACKER_CLOCK_AT"]
    hasher = SharedHash(app.extensions["password_hasher"], password, seed)
    for username, name, role, unit_key in wanted:
        accounts.create_user(username=username, display_name=name, role=role, unit=accounts.unit_by_key(unit_key),
                             password=password, hasher=hasher, actor=None, now=now,
                             must_change_password=False)
    return [(username, role.value, unit_key) for username, _name, role, unit_key in wanted]


def _count(result: DemoResult) -> None:
    result.columns = {status.value: 0 for status in ItemStatus}
    for status, count in db.session.execute(sa.select(WorkItem.status, sa.func.count()).group_by(WorkItem.status)):
        result.columns[ItemStatus(status).value] = count
    records: Counter[str] = Counter()
    for kind, name, count in db.session.execute(
            sa.select(AccountabilityRecord.kind, AccountabilityRecord.level_name, sa.func.count())
            .group_by(AccountabilityRecord.kind, AccountabilityRecord.level_name)):
        records[name if kind == "ladder" else f"{name}({kind})"] += count
    result.records = dict(sorted(records.items()))
    result.digests = db.session.execute(sa.select(sa.func.count()).select_from(Digest)).scalar() or 0


def _remove(paths: DemoPaths) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{paths.database}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(paths.files, ignore_errors=True)
    paths.instance.mkdir(parents=True, exist_ok=True)
