"""Test fixtures: one database per run with the shipped plan loaded, and every test in a transaction that is
rolled back, so a test that commits leaves nothing for the next.

The database is SQLite in a temporary folder unless TEST_DATABASE_URL names a PostgreSQL server; then a fresh
database is created on it for the run and dropped afterwards. Isolation follows ../shared/PITFALLS.md:
Flask-SQLAlchemy ignores a session bind, so `db.session` is replaced by a session on one outer connection
that turns the code's commits into savepoints.

Migrating and loading the 1,278-item plan takes seconds, so it is done once per run into a template database;
the shared app and every test that needs real commits get a copy of it (the file on SQLite, `CREATE DATABASE
... TEMPLATE` on PostgreSQL), which takes a fraction of a second.
"""
from __future__ import annotations

import dataclasses
import io
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, g
from flask_migrate import upgrade
from sqlalchemy.orm import scoped_session, sessionmaker

from tests import ldap_server as slapd
from tests.demo.demo_helpers import DEMO_DEFAULT_DATE
from tracker import create_app
from tracker.services.plan.loading import DEFAULT_PLAN, DEFAULT_UNITS, load_plan_file, load_units_file
from tracker.config import TestConfig
from tracker.demo.build import DemoPaths, DemoResult
from tracker.demo.build import build as build_demo_history
from tracker.clock import utcnow
from tracker.extensions import db
from tracker.models import Indicator, ItemStatus, Phase, Plan, Role, Task, Unit, User, WorkItem
from tracker.services.plan.workdays import WEEKDAYS_ONLY
from tracker.services.trust import accounts
from tracker.services.work.item_rules import Day
from tracker.services.work import items, progress, workflow
from tracker.settings import EXTENSION as SETTINGS, settings as settings_of

NOW = datetime(2023, 4, 3, 2, 0, tzinfo=timezone.utc)  # a Monday, 10:00 in Shanghai, early in phase 2
TODAY = Day(date(2023, 4, 3), WEEKDAYS_ONLY)  # NOW's day, for the offers judged on a day (a contest's window)


def pytest_report_header() -> str:
    return f"database: {database_kind()}"


def database_kind() -> str:
    return "postgresql" if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql") else "sqlite"


def postgres_server_url() -> str:
    url = os.environ["TEST_DATABASE_URL"]
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url


class ScratchDatabases:
    """Creates empty databases (a file for SQLite, a database on the server for PostgreSQL) and drops them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.created: list[str] = []

    def new(self, *, template: str | None = None) -> str:
        """An empty database, or a copy of `template` (a URL this object made, with no connection open on it)."""
        name = f"tracker_test_{uuid.uuid4().hex[:12]}"
        if database_kind() == "sqlite":
            path = self.folder / (name + ".db")
            if template is not None:
                shutil.copyfile(sa.make_url(template).database or "", path)
            return f"sqlite:///{path}"
        copy_of = f' TEMPLATE "{sa.make_url(template).database}"' if template is not None else ""
        server = sa.create_engine(postgres_server_url(), isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"{copy_of}')
        server.dispose()
        self.created.append(name)
        return sa.make_url(postgres_server_url()).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not self.created:
            return
        server = sa.create_engine(postgres_server_url(), isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            for name in self.created:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()


@pytest.fixture(scope="session")
def demo_at_default_date(tmp_path_factory: pytest.TempPathFactory) -> tuple[DemoPaths, DemoResult]:
    """The demo as `make demo` builds it, replayed once per run: the suite's one long build.

    Tests read it and must not change it (serve a copy if a test clicks through it).
    """
    folder = tmp_path_factory.mktemp("demo-default")
    return DemoPaths(folder), build_demo_history(create_app, DemoPaths(folder), until=DEMO_DEFAULT_DATE, real_url=None)


@pytest.fixture(scope="session")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ScratchDatabases]:
    dbs = ScratchDatabases(tmp_path_factory.mktemp("db"))
    yield dbs
    dbs.drop_all()


def test_config(url: str, instance: Path) -> dict[str, Any]:
    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=url, SECRET_KEY="test-secret", TRACKER_UPLOAD_DIR=str(instance / "files"))
    return config


def build_app(url: str, instance: Path) -> Flask:
    os.environ["TRACKER_INSTANCE_PATH"] = str(instance)
    try:
        application = create_app(test_config(url, instance))
    finally:
        del os.environ["TRACKER_INSTANCE_PATH"]

    @application.before_request
    def start_like_a_real_request() -> None:
        """Requests in a test share the test's app context, its `g` and its session; a real request starts
        afresh, with what happened before it already stored. So the test's own setup is committed (a savepoint
        in the test's outer transaction) and a refused request, which rolls back, cannot take it away."""
        g.pop("_login_user", None)
        db.session.commit()

    return application


@contextmanager
def app_on(url: str, instance: Path) -> Iterator[Flask]:
    """An app on an existing database; its engine is closed afterwards."""
    application = build_app(url, instance)
    yield application
    with application.app_context():
        db.session.remove()
        # A connection still out at this moment (a thread of the test finishing its last read) goes back later to
        # the disposed pool, where nothing closes it; collected open, psycopg's ResourceWarning then failed
        # whichever test ran next (twice in CI). It is closed as it comes back.
        sa.event.listen(db.engine.pool, "checkin", _close_on_return)
        db.engine.dispose()


def _close_on_return(dbapi_connection: Any, _record: Any) -> None:
    if dbapi_connection is not None:
        dbapi_connection.close()


@pytest.fixture(scope="session")
def loaded_template(scratch: ScratchDatabases, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The URL of a migrated database holding the shipped units and plan, built once per run and only copied.

    Its engine is disposed before it is copied: on SQLite the last connection to close checkpoints the WAL into the
    file and deletes it, so a plain file copy is whole; PostgreSQL copies only a template nobody is connected to.
    """
    url = scratch.new()
    with app_on(url, tmp_path_factory.mktemp("template-instance")) as application, application.app_context():
        upgrade()
        load_units_file(DEFAULT_UNITS, now=utcnow())
        load_plan_file(DEFAULT_PLAN, now=utcnow())
        db.session.commit()
    return url


@pytest.fixture(scope="session")
def app(scratch: ScratchDatabases, loaded_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app shared by the run; each test's changes are rolled back (see _rollback)."""
    with app_on(scratch.new(template=loaded_template), tmp_path_factory.mktemp("instance")) as application:
        yield application


@pytest.fixture
def configure(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Run one test as if the app had been started with other settings (tracker/settings.py), restored after it."""
    def change(**values: Any) -> None:
        monkeypatch.setitem(app.extensions, SETTINGS, dataclasses.replace(settings_of(app), **values))
    return change


@pytest.fixture(autouse=True)
def _rollback(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test that uses the app runs inside one outer transaction, rolled back at the end."""
    if "app" not in request.fixturenames:
        yield
        return
    application: Flask = request.getfixturevalue("app")
    with application.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = scoped_session(  # type: ignore[assignment]
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        )
        try:
            yield
        finally:
            db.session.remove()
            db.session = original  # type: ignore[assignment]
            if outer.is_active:
                outer.rollback()
            connection.close()


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def unit() -> Callable[[str], Unit]:
    def get(key: str) -> Unit:
        return db.session.execute(sa.select(Unit).where(Unit.key == key)).scalar_one()
    return get


@pytest.fixture
def make_user(app: Flask, unit: Callable[[str], Unit]) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(role: Role | str, unit_key: str = "sfj", *, username: str | None = None,
             password: str = "Correct-Horse-9") -> User:
        role = Role(role)
        name = username or f"{role.value}_{unit_key}_{next(counter)}"
        return accounts.create_user(username=name, display_name=name, role=role, unit=unit(unit_key),
                                    password=password, hasher=app.extensions["password_hasher"], actor=None,
                                    now=NOW)
    return make


@pytest.fixture
def plan(app: Flask) -> Plan:
    return db.session.execute(sa.select(Plan)).scalar_one()


@pytest.fixture
def office(make_user: Callable[..., User]) -> User:
    return make_user(Role.OFFICE_ADMIN, "office")


def closing_evidence(app: Flask) -> workflow.Evidence:
    """A one-page PDF sent with a closing report: the shipped plan's items need evidence to be submitted."""
    storage = progress.Storage(Path(app.config["TRACKER_UPLOAD_DIR"]), app.config["TRACKER_UPLOAD_MAX_BYTES"])
    return workflow.Evidence([progress.Upload("办结报告.pdf", io.BytesIO(b"%PDF-1.4\n%%EOF\n"))], storage)


@pytest.fixture
def with_evidence(app: Flask) -> Callable[..., WorkItem]:
    """Evidence on an item (a progress update with a one-page PDF), as a unit sends before submitting it."""
    def attach(item: WorkItem, actor: User) -> WorkItem:
        sent = closing_evidence(app)
        progress.add_update(item, actor=actor, text="佐证材料", percent=None, files=sent.files, storage=sent.storage,
                            now=NOW)
        return item
    return attach


@pytest.fixture
def make_item(app: Flask, plan: Plan, office: User, unit: Callable[[str], Unit]) -> Callable[..., WorkItem]:
    """A fresh card assigned to a unit by the office, optionally already moved along the workflow (a submission
    with its closing report and a PDF of evidence)."""

    def make(unit_key: str = "sfj", *, status: ItemStatus = ItemStatus.ASSIGNED, due: date = date(2023, 12, 31),
             task_number: int = 1, title: str = "测试工作项") -> WorkItem:
        task = db.session.execute(sa.select(Task).where(Task.plan_id == plan.id, Task.number == task_number)
                                  ).scalar_one()
        phase = db.session.execute(sa.select(Phase).where(Phase.plan_id == plan.id).order_by(Phase.seq)
                                   .offset(1)).scalars().first()
        assert phase is not None
        (item,) = items.create_items(actor=office, task=task, phase=phase, units=[unit(unit_key)], title=title,
                                     due_date=due, now=NOW)
        path = [ItemStatus.IN_PROGRESS, ItemStatus.SUBMITTED, ItemStatus.DONE]
        order = [ItemStatus.ASSIGNED, *path]
        if status != ItemStatus.ASSIGNED:
            carrier = _carrier(unit_key)
            for target in path[: order.index(status)]:
                actor = office if target == ItemStatus.DONE else carrier
                submitting = target == ItemStatus.SUBMITTED
                workflow.move(item, actor=actor, to=target, expected_version=item.version, now=NOW,
                              note="办结报告" if submitting else None,
                              evidence=closing_evidence(app) if submitting else None)
        return item

    def _carrier(unit_key: str) -> User:
        return db.session.execute(sa.select(User).where(
            User.unit_id == unit(unit_key).id, User.role == Role.UNIT_ADMIN)).scalars().first() or \
            make_unit_admin(unit_key)

    def make_unit_admin(unit_key: str) -> User:
        return accounts.create_user(username=f"carrier_{unit_key}_{uuid.uuid4().hex[:6]}", display_name="承办人",
                                    role=Role.UNIT_ADMIN, unit=unit(unit_key), password="Correct-Horse-9",
                                    hasher=accounts.make_hasher(fast=True), actor=None, now=NOW)

    return make


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """A context manager counting the SQL statements sent while it is open."""
    @contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def listener(*args: Any) -> None:
            statements.append(args[2])

        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            yield statements
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)

    return counting


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgres` run only on PostgreSQL; on SQLite they are deselected rather than skipped, so a
    SQLite run with TRACKER_FORBID_SKIPS passes and the PostgreSQL run still fails if they do not run. Tests
    marked `sqlite` (SQLite's write lock) are likewise deselected on PostgreSQL.

    A test that never reaches the database under test (no `scratch` among its fixtures: every database the suite
    tests is made there) gives the same result on either: the rules of pure functions, a demo built in its own
    SQLite file, the browser on a demo. The PostgreSQL run leaves those to the SQLite run rather than repeat
    minutes of identical work."""
    if database_kind() == "postgresql":
        deselected = [item for item in items if "scratch" not in getattr(item, "fixturenames", ())
                      or item.get_closest_marker("sqlite")]
    else:
        deselected = [item for item in items if item.get_closest_marker("postgres")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        away = set(deselected)
        items[:] = [item for item in items if item not in away]


def pytest_sessionstart(session: pytest.Session) -> None:
    required = os.environ.get("TRACKER_REQUIRE_DB")
    if required and required != database_kind():
        raise pytest.UsageError(f"TRACKER_REQUIRE_DB={required} but the tests would run on {database_kind()}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI nothing may be skipped: a skipped PostgreSQL or browser test is a failed run."""
    if os.environ.get("TRACKER_FORBID_SKIPS") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"TRACKER_FORBID_SKIPS: {len(skipped)} test(s) skipped; failing the run", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def committed_app(scratch: ScratchDatabases, loaded_template: str, tmp_path: Path) -> Iterator[Flask]:
    """An app on its own copy of the loaded database, for tests that need real commits (several threads or
    processes); not rolled back, and dropped with the run's scratch databases."""
    with app_on(scratch.new(template=loaded_template), tmp_path / "instance") as application:
        yield application


@pytest.fixture
def empty_app(scratch: ScratchDatabases, tmp_path: Path) -> Iterator[Flask]:
    """An app on a new, empty database: nothing migrated, nothing loaded."""
    application = build_app(scratch.new(), tmp_path / "empty-instance")
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


# Shared by the indicator and evidence tests of both doors.
@pytest.fixture
def filing() -> Indicator:
    return db.session.execute(sa.select(Indicator).where(Indicator.key == "filing_review_rate")).scalar_one()


@pytest.fixture
def upload_dir(app: Flask) -> Path:
    return Path(app.config["TRACKER_UPLOAD_DIR"])


@pytest.fixture(scope="session")
def ldap_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[slapd.LdapServer]:
    """Debian's slapd on loopback holding the test directory (tests/ldap_server.py), for the run. Tests that
    change the directory use `own_ldap_server`. Without slapd the LDAP tests fail where skips are forbidden."""
    with _slapd(tmp_path_factory.mktemp("slapd")) as server:
        yield server


@pytest.fixture
def own_ldap_server(tmp_path: Path) -> Iterator[slapd.LdapServer]:
    """A slapd of the test's own, with the test directory loaded afresh, to change as the test likes."""
    with _slapd(tmp_path / "slapd") as server:
        yield server


@contextmanager
def _slapd(folder: Path) -> Iterator[slapd.LdapServer]:
    if not slapd.installed():
        message = "slapd is not installed (apt-get install slapd ldap-utils, as .ci/run does)"
        if os.environ.get("TRACKER_FORBID_SKIPS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    with slapd.running(folder) as server:
        yield server
