"""End-to-end fixtures: the app on loopback in a thread, Debian's Chromium driven by Playwright.

No browser is ever downloaded: Chromium is launched by its path. Without /usr/bin/chromium these tests skip,
and CI (.ci/run) installs it and fails on any skip.
"""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from tests.conftest import closing_evidence
from tracker.demo.build import DemoPaths, DemoResult
from tracker.extensions import db
from tracker.models import (AccountabilityRecord, ItemStatus, Phase, Plan, Role, Task, Unit, User, UserSession,
                            WorkItem)
from tracker.services.trust import accounts
from tracker.services.work import items, workflow

from .e2e_helpers import PASSWORD, served_demo, serving

CHROMIUM = Path("/usr/bin/chromium")
NOW = datetime(2023, 4, 3, 2, 0, tzinfo=timezone.utc)
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")


class City:
    """The people and cards of one scenario, created and committed before the browser starts."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.cards: dict[str, int] = {}

    def user(self, username: str, role: Role, unit_key: str) -> None:
        unit = db.session.execute(sa.select(Unit).where(Unit.key == unit_key)).scalar_one()
        user = accounts.create_user(username=username, display_name=username, role=role, unit=unit,
                                    password=PASSWORD, hasher=self.app.extensions["password_hasher"], actor=None,
                                    now=NOW)
        user.must_change_password = False

    def card(self, name: str, title: str, *, unit_key: str = "sfj", status: ItemStatus = ItemStatus.ASSIGNED,
             due: date = date(2025, 12, 31)) -> None:
        office = db.session.execute(sa.select(User).where(User.username == "e2e_office")).scalar_one()
        carrier = db.session.execute(sa.select(User).where(User.username == "e2e_sfj")).scalar_one()
        plan = db.session.execute(sa.select(Plan)).scalar_one()
        task = db.session.execute(sa.select(Task).where(Task.plan_id == plan.id, Task.number == 3)).scalar_one()
        phase = db.session.execute(sa.select(Phase).where(Phase.plan_id == plan.id).order_by(Phase.seq.desc())
                                   ).scalars().first()
        unit = db.session.execute(sa.select(Unit).where(Unit.key == unit_key)).scalar_one()
        (item,) = items.create_items(actor=office, task=task, phase=phase, units=[unit], title=title, due_date=due,
                                     now=NOW)
        path = [ItemStatus.IN_PROGRESS, ItemStatus.SUBMITTED, ItemStatus.DONE]
        for target in path[: [ItemStatus.ASSIGNED, *path].index(status)]:
            submitting = target == ItemStatus.SUBMITTED
            workflow.move(item, actor=office if target == ItemStatus.DONE else carrier, to=target,
                          expected_version=item.version, now=NOW, note="办结报告" if submitting else None,
                          evidence=closing_evidence(self.app) if submitting else None)
        self.cards[name] = item.id
        db.session.commit()
        db.session.close()  # SQLite: no transaction (they begin IMMEDIATE) may stay open beside the server


    def sign(self, card: str) -> None:
        """The card's unit signs for it elsewhere, so a page already open holds an old version."""
        item = db.session.get(WorkItem, self.cards[card])
        carrier = db.session.execute(sa.select(User).where(User.username == "e2e_sfj")).scalar_one()
        workflow.move(item, actor=carrier, to=ItemStatus.IN_PROGRESS, expected_version=item.version, now=NOW)
        db.session.commit()
        db.session.close()

    def record(self, card: str, reason: str) -> None:
        """A supervision notice (督办) on a card, as the scheduler's daily scan would write it."""
        item = db.session.get(WorkItem, self.cards[card])
        db.session.add(AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=3, level_name="督办",
                                            due_date=item.due_date, reason=reason, issued_at=NOW,
                                            answer_due=date(2099, 1, 5)))
        db.session.commit()
        db.session.close()


    def end_sessions(self) -> None:
        """What an idle timeout or a logout elsewhere does: the server forgets every session."""
        db.session.execute(sa.update(UserSession).values(ended_at=NOW))
        db.session.commit()
        db.session.close()


@pytest.fixture
def city(committed_app: Flask) -> Iterator[City]:
    committed_app.config["WTF_CSRF_ENABLED"] = True
    with committed_app.app_context():
        found = City(committed_app)
        found.user("e2e_office", Role.OFFICE_ADMIN, "office")
        found.user("e2e_sfj", Role.UNIT_ADMIN, "sfj")
        found.user("e2e_sfj_member", Role.UNIT_MEMBER, "sfj")
        db.session.commit()
        db.session.close()
        yield found


@pytest.fixture
def live_url(committed_app: Flask, city: City) -> Iterator[str]:
    with serving(committed_app) as url:
        yield url


@pytest.fixture
def demo_copy(demo_at_default_date: tuple[DemoPaths, DemoResult], tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The shared demo at its default day, copied (logging in writes a session), served on loopback with its
    clock stopped: for browser tests that read or click through it."""
    built, result = demo_at_default_date
    paths = DemoPaths(tmp_path / "demo")
    shutil.copytree(built.instance, paths.instance)
    with served_demo(paths, result) as served:
        yield served


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, live_url: str) -> Iterator[Any]:
    context = browser.new_context(base_url=live_url, viewport={"width": 1400, "height": 900}, locale="zh-CN")
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    problems: list[str] = []
    opened.on("console", lambda message: problems.append(message.text) if message.type == "error"
              and "Content Security Policy" in message.text else None)
    opened.on("pageerror", lambda error: problems.append(str(error)))
    yield opened
    context.close()
    assert problems == [], f"script errors or CSP violations in the browser: {problems}"
