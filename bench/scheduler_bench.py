"""Scheduler benchmark: first daily scan, immediate rescan, one week's digests, on a synthetic plan.

    .venv/bin/python bench/scheduler_bench.py --items 10000 100000 [--database-url postgresql://...]

For each N: a fresh database (a temporary SQLite file unless --database-url names an empty PostgreSQL
database, which is then reset), 150 units, N work items bulk-inserted with 20% overdue by 1 to 60 days, then
timed: the first scan (all ladder records written), a rescan at the same moment (writes nothing), and the
Monday round of digests for the 150 units and the office (rendered, stored, one delivery per address).
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.models import (  # noqa: E402
    AccountabilityRecord,
    Phase,
    Plan,
    Task,
    TaskGroup,
    Unit,
    UnitKind,
    WorkItem,
)
from tracker.settings import settings as settings_of  # noqa: E402
from tracker.services.ledger import digests, escalation  # noqa: E402

UNITS = 150
TODAY = date(2025, 6, 2)  # a Monday
NOW = datetime(2025, 6, 2, 0, 30, tzinfo=timezone.utc)  # 08:30 in Shanghai


def build_plan(n_items: int) -> None:
    """Units, one plan, phase, group and task, and N items (20% overdue) by bulk insert."""
    db.session.add(UnitKind(key="dept", name="部门"))
    db.session.add(UnitKind(key="office", name="办公室"))
    db.session.flush()
    office = Unit(key="office", name="领导小组办公室", short_name="办公室", kind="office", tags=[],
                  emails=["office@example.gov.cn"])
    db.session.add(office)
    db.session.execute(sa.insert(Unit), [
        {"key": f"u{i:03d}", "name": f"单位{i:03d}", "short_name": f"单位{i:03d}", "kind": "dept", "tags": [],
         "emails": [f"u{i:03d}@example.gov.cn"], "is_sample": True} for i in range(UNITS)])
    db.session.flush()
    plan = Plan(key="bench", title="基准计划", short_title="基准", timezone="Asia/Shanghai",
                start_date=date(2024, 1, 1), end_date=date(2026, 12, 31), office_unit_id=office.id, loaded_at=NOW)
    db.session.add(plan)
    db.session.flush()
    phase = Phase(plan_id=plan.id, key="p1", seq=1, name="实施阶段", start_date=plan.start_date,
                  end_date=plan.end_date, source="text")
    group = TaskGroup(plan_id=plan.id, key="g1", seq=1, title="领域一")
    db.session.add_all([phase, group])
    db.session.flush()
    task = Task(plan_id=plan.id, group_id=group.id, number=1, title="任务一", text="")
    db.session.add(task)
    db.session.flush()
    unit_ids = list(db.session.scalars(sa.select(Unit.id).where(Unit.kind == "dept")))
    rng = random.Random(4)
    rows = []
    for i in range(n_items):
        overdue = i % 5 == 0
        due = TODAY - timedelta(days=rng.randint(1, 60)) if overdue else TODAY + timedelta(days=rng.randint(0, 400))
        rows.append({"plan_id": plan.id, "task_id": task.id, "phase_id": phase.id, "unit_id": unit_ids[i % UNITS],
                     "title": f"工作项 {i}", "description": "", "status": "assigned" if i % 2 else "in_progress",
                     "position": (i + 1) * 1024, "due_date": due, "original_due_date": due, "priority": "normal",
                     "recurrence_key": "", "created_at": NOW, "updated_at": NOW, "returned_count": 0,
                     "version": 1})
    for start in range(0, len(rows), 10_000):
        db.session.execute(sa.insert(WorkItem), rows[start:start + 10_000])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":  # what autovacuum does to a table loaded in production
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")


def timed(label: str, action) -> float:  # noqa: ANN001 - a zero-argument callable
    started = time.perf_counter()
    result = action()
    db.session.commit()
    elapsed = time.perf_counter() - started
    print(f"  {label:<34} {elapsed:7.3f} s   {result}")
    return elapsed


def run(n_items: int, url: str | None) -> None:
    folder = tempfile.mkdtemp(prefix="tracker-bench-")
    os.environ["TRACKER_INSTANCE_PATH"] = folder
    app = create_app({"SQLALCHEMY_DATABASE_URI": url or f"sqlite:///{folder}/bench.db", "SECRET_KEY": "bench"})
    settings = settings_of(app)
    with app.app_context():
        if url:
            db.drop_all()
            db.session.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()
        upgrade()
        started = time.perf_counter()
        build_plan(n_items)
        print(f"N = {n_items:,} items, {UNITS} units ({db.engine.dialect.name}); "
              f"setup {time.perf_counter() - started:.1f} s")

        def scan() -> str:
            result = escalation.scan(now=NOW, ladder=settings.ladder, timezone=settings.timezone)
            return f"overdue {result.newly_overdue:,}, records {sum(result.records.values()):,}"

        def week() -> str:
            result = digests.build_round(period_key=digests.week_key(TODAY), now=NOW, timezone=settings.timezone,
                                         ladder=settings.ladder, due_soon_days=settings.due_soon_days,
                                         with_deliveries=True)
            return f"digests {result.digests}, deliveries {result.deliveries}"

        timed("first daily scan", scan)
        timed("immediate rescan (writes nothing)", scan)
        timed("one week's digests", week)
        total = db.session.execute(sa.select(sa.func.count()).select_from(AccountabilityRecord)).scalar()
        print(f"  records in the ledger: {total:,}")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--database-url", default=None, help="An empty PostgreSQL database (it is reset).")
    args = parser.parse_args()
    print(f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.platform()}")
    for n in args.items:
        run(n, args.database_url)


if __name__ == "__main__":
    main()
