"""Bulk approve of 200 items, 3 of them stale (issue 22): the time of one `POST /api/v1/bulk/approve`.

Sets up a fresh SQLite database as `make run` does (the shipped plan, the scheduler's first scan of today, which
opens the 督办 records an approval settles), then in a fresh process puts `--runs` × 200 of the plan's items into
待审核, changes 3 of each 200 after the office "saw" them, and sends each 200 in one request through the app
(Flask's test client, the office's token, the request's one commit included). Prints per run the milliseconds,
done and refused, the SQL statements and the audit events the request added (an approval's own, and those of
the records it settles).

    .venv/bin/python bench/bulk_bench.py [--runs 3] [--size 200] [--root PATH-OF-A-CHECKOUT]
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from outbound_bench import ROOT, base_env, prepared_database

MEASURE = """
import sys, time
import sqlalchemy as sa
from tracker import create_app
from tracker.clock import utcnow
from tracker.extensions import db
from tracker.models import Event, ItemStatus, Role, WorkItem
from tracker.services.trust import accounts
runs, size = int(sys.argv[1]), int(sys.argv[2])
app = create_app()
with app.app_context():
    office = accounts.create_user(username="bench_bulk", display_name="bench", role=Role.OFFICE_ADMIN,
                                  unit=accounts.unit_by_key("office"), password="Bench-pass-1",
                                  hasher=accounts.make_hasher(fast=True), actor=None, now=utcnow())
    _token, secret = accounts.create_token(office, name="bench", actor=office, now=utcnow())
    ids = list(db.session.scalars(sa.select(WorkItem.id).where(WorkItem.parent_id.is_(None),
                                  WorkItem.status != ItemStatus.DONE).order_by(WorkItem.id).limit(runs * size)))
    db.session.execute(sa.update(WorkItem).where(WorkItem.id.in_(ids)).values(status=ItemStatus.SUBMITTED,
                                                                             submitted_at=utcnow()))
    db.session.commit()
    statements = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    client = app.test_client()
    for run in range(runs):
        chosen = ids[run * size:(run + 1) * size]
        versions = dict(db.session.execute(sa.select(WorkItem.id, WorkItem.version).where(WorkItem.id.in_(chosen))).all())
        stale = chosen[7::size // 3][:3]
        db.session.execute(sa.update(WorkItem).where(WorkItem.id.in_(stale)).values(version=WorkItem.version + 1))
        db.session.commit()
        events = db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar()
        body = {"items": [{"id": item_id, "version": versions[item_id]} for item_id in chosen]}
        statements.clear()
        started = time.perf_counter()
        answer = client.post("/api/v1/bulk/approve", json=body, headers={"Authorization": f"Bearer {secret}"})
        took = time.perf_counter() - started
        sent = len(statements)
        db.session.rollback()
        added = db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar() - events
        approvals = db.session.execute(sa.select(sa.func.count()).select_from(Event).where(
            Event.action == "item.approve", Event.item_id.in_(chosen))).scalar()
        result = answer.get_json()
        print(f"run {run + 1}: {size} items, {took * 1000:7.0f} ms ({took * 1000 / size:5.1f} ms an item); "
              f"done {result['done']}, refused {result['refused']}; {sent} statements; audit events +{added} "
              f"(item.approve {approvals}; the rest settle the 督办 records the scan opened)")
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bulk-bench-"))
    try:
        prepared_database(args.root, folder)
        subprocess.run([str(args.root / ".venv/bin/python"), "-c", MEASURE, str(args.runs), str(args.size)],
                       cwd=args.root, env=base_env(args.root, folder), check=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
