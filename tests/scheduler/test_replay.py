"""The whole shipped plan (1,278 items) replayed from 2023-01-01 to 2025-12-31, one scheduler catch-up per day.

Each item follows one of five scripted behaviours (by id modulo 5), acted at 10:00 Shanghai time through the real
services: on time; submitted 10 days late; extended after 8 days overdue then late again and answering its
督办 notice; returned by the office then resubmitted 3 days late; never touched. The expected records per level
are computed independently from those scripts (and pinned as numbers), the digests come out once per Monday,
and replaying every scan and round again adds nothing.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
import time_machine
from tests.conftest import closing_evidence
from tests.scheduler.sched_helpers import sh

from tracker.extensions import db
from tracker.models import AccountabilityRecord, Digest, ItemStatus, JobRun, Role, Unit, User, WorkItem
from tracker.scheduler import jobs
from tracker.services.ledger import digests, escalation, records
from tracker.services.trust import accounts
from tracker.services.work import workflow
from tracker.settings import settings as settings_of
from tracker.services.ledger.ladder import levels_reached

START, END = date(2023, 1, 1), date(2025, 12, 31)
MONDAYS = 157
EXPECTED = {  # pinned from the oracle below, so a change in either shows
    ("ladder", 1): 928, ("ladder", 2): 743, ("ladder", 3): 369, ("ladder", 4): 184, ("unanswered", 3): 184,
}


def script(scenario: int, due: date) -> list[tuple[date, str]]:
    """The actions one item receives, by day."""
    d = lambda n: due + timedelta(days=n)  # noqa: E731 - a short alias keeps the table readable
    return {
        0: [(d(-40), "sign"), (d(-10), "submit"), (d(-5), "approve")],
        1: [(d(-20), "sign"), (d(10), "submit"), (d(12), "approve")],
        2: [(d(-20), "sign"), (d(8), "extend"), (d(56), "answer"), (d(60), "submit"), (d(62), "approve")],
        3: [(d(-30), "sign"), (d(-5), "submit"), (d(-2), "return"), (d(3), "submit"), (d(4), "approve")],
        4: [],
    }[scenario]


def oracle(items: list[tuple[int, date]], ladder) -> Counter:
    """Records each script must leave by END: levels reached by the most days overdue while the unit held it."""
    expected: Counter = Counter()

    def reach(days: int) -> None:
        for level in levels_reached(days, ladder):
            expected[("ladder", level.level)] += 1

    for item_id, due in items:
        scenario = item_id % 5
        if scenario == 1:
            reach(min(due + timedelta(days=10), END).toordinal() - due.toordinal())
        elif scenario == 2:
            reach(min(due + timedelta(days=8), END).toordinal() - due.toordinal())
            new_due = due + timedelta(days=40)
            reach(min(due + timedelta(days=60), END).toordinal() - new_due.toordinal())
        elif scenario == 3:
            reach(min(due + timedelta(days=3), END).toordinal() - due.toordinal())
        elif scenario == 4:
            reach((END - due).days)
            if (END - due).days >= 21:  # 督办 on day 15, answer owed by day 20, found unanswered on day 21
                expected[("unanswered", 3)] += 1
    return expected


def record_counts() -> Counter:
    return Counter({(kind, level): n for kind, level, n in db.session.execute(
        sa.select(AccountabilityRecord.kind, AccountabilityRecord.level, sa.func.count())
        .group_by(AccountabilityRecord.kind, AccountabilityRecord.level))})


class Actors:
    """The office and one administrator per unit, created as they are first needed."""

    def __init__(self, app) -> None:
        self.hasher = app.extensions["password_hasher"]
        self.admins: dict[int, User] = {}
        self.office = self.make(Role.OFFICE_ADMIN, accounts.unit_by_key("office"))

    def make(self, role: Role, unit: Unit) -> User:
        name = f"{role.value}_{unit.key}"
        return accounts.create_user(username=name, display_name=name, role=role, unit=unit,
                                    password="Correct-Horse-9", hasher=self.hasher, actor=None, now=sh(2023, 1, 1))

    def unit_admin(self, item: WorkItem) -> User:
        if item.unit_id not in self.admins:
            self.admins[item.unit_id] = self.make(Role.UNIT_ADMIN, item.unit)
        return self.admins[item.unit_id]


def act(item: WorkItem, action: str, day: date, actors: Actors, settings) -> None:
    now = sh(day.year, day.month, day.day, 10)
    moves = {"sign": ItemStatus.IN_PROGRESS, "submit": ItemStatus.SUBMITTED, "approve": ItemStatus.DONE,
             "return": ItemStatus.IN_PROGRESS}
    if action in ("sign", "submit"):
        workflow.move(item, actor=actors.unit_admin(item), to=moves[action], expected_version=item.version,
                      now=now, note="办结报告" if action == "submit" else None,
                      evidence=closing_evidence(current_app) if action == "submit" else None)
    elif action in ("approve", "return"):
        workflow.move(item, actor=actors.office, to=moves[action], expected_version=item.version, now=now,
                      note="材料不全,请补充" if action == "return" else None)
    elif action == "extend":  # what services.work.deadline_extensions (API branch) does once the office grants more time
        item.due_date = item.due_date + timedelta(days=40)
        escalation.on_due_date_changed(item, now=now, timezone=settings.timezone)
        db.session.flush()
    elif action == "answer":
        (notice,) = records.list_records(actor=actors.office, filters=records.RecordFilters(
            item_id=item.id, kind="ladder", level=3))
        records.answer(notice, actor=actors.unit_admin(item), explanation="已查明原因,正在整改",
                       remedy_date=day + timedelta(days=10), now=now, timezone=settings.timezone)


def test_replay_2023_to_2025_gives_exact_records_and_157_digest_rounds(committed_app):
    """Runs on a database of its own, committing every day as the scheduler does.

    Inside the usual rolled-back outer transaction, three years of daily commits become thousands of
    savepoints in one PostgreSQL transaction, whose visibility checks then slow down quadratically.
    """
    settings = settings_of(committed_app)
    with committed_app.app_context():
        replay(committed_app, settings)
        db.session.remove()


def replay(app, settings) -> None:
    items = db.session.execute(sa.select(WorkItem.id, WorkItem.due_date).order_by(WorkItem.id)).all()
    assert len(items) == 1278 and min(due for _, due in items) - timedelta(days=40) >= START
    agenda: dict[date, list[tuple[int, str]]] = defaultdict(list)
    for item_id, due in items:
        for day, action in script(item_id % 5, due):
            if day <= END:
                agenda[day].append((item_id, action))
    actors = Actors(app)
    jobs.record_baseline(jobs.job_named("scan"), (START - timedelta(days=1)).isoformat(), sh(2022, 12, 31))
    jobs.record_baseline(jobs.job_named("digest"), digests.week_key(START), sh(2022, 12, 31))
    # the monthly 通报 drafts write no records: their own replay is tests/scheduler/test_bulletin_job.py
    jobs.record_baseline(jobs.job_named("bulletin"), END.isoformat()[:7], sh(2022, 12, 31))

    day = START
    while day <= END:
        with time_machine.travel(sh(day.year, day.month, day.day, 0, 10), tick=False):
            assert jobs.catch_up(settings=settings) == [("scan", day.isoformat(), "ok")]
        if day.weekday() == 0:
            with time_machine.travel(sh(day.year, day.month, day.day, 8, 30), tick=False):
                assert jobs.catch_up(settings=settings) == [("digest", digests.week_key(day), "ok")]
        for item_id, action in agenda.get(day, []):
            act(db.session.get(WorkItem, item_id), action, day, actors, settings)
        db.session.commit()
        day += timedelta(days=1)

    expected = oracle(items, settings.ladder)
    assert record_counts() == expected
    assert {key: expected[key] for key in EXPECTED} == EXPECTED
    weeks = db.session.scalars(sa.select(Digest.period_key).distinct()).all()
    assert len(weeks) == MONDAYS
    assert db.session.execute(sa.select(sa.func.count()).where(JobRun.job == "digest", JobRun.outcome == "ok")
                              ).scalar() == MONDAYS
    assert db.session.execute(sa.select(sa.func.count()).where(JobRun.job == "scan", JobRun.outcome == "ok")
                              ).scalar() == (END - START).days + 1
    late = db.session.execute(sa.select(WorkItem.closed_late, sa.func.count()).where(
        WorkItem.status == ItemStatus.DONE).group_by(WorkItem.closed_late)).all()
    assert dict(late)[False] > 0 and dict(late)[True] > 0

    db.session.commit()
    digests_before = db.session.execute(sa.select(sa.func.count()).select_from(Digest)).scalar()
    day = START
    while day <= END:  # the same days again, bypassing the ledger: the writes themselves are idempotent
        at = sh(day.year, day.month, day.day, 0, 10)
        assert escalation.scan(now=at, ladder=settings.ladder, timezone=settings.timezone).written == 0
        if day.weekday() == 0:
            assert digests.build_round(period_key=digests.week_key(day), now=at, timezone=settings.timezone,
                                       ladder=settings.ladder, due_soon_days=14, with_deliveries=False
                                       ).digests == 0
        day += timedelta(days=1)
    assert record_counts() == expected
    assert db.session.execute(sa.select(sa.func.count()).select_from(Digest)).scalar() == digests_before
