"""The day's notices PDF after a first scan (issue 19 point 6): time and peak memory of one request's document.

Sets up a fresh database as `make run` does (the shipped plan, the scheduler's first start scanning today, which
issues every numbered 督办 and 通报 of the plan at once), then in a fresh process renders what
`GET /api/v1/notices.pdf?day=<today>` renders: the whole day before issue 19, one part of at most 200 after.
Prints the notices in the day, in the document, the seconds, the pages and the process's peak RSS before and
after rendering (what a worker keeps: Python does not give the memory back).

    .venv/bin/python bench/notices_bench.py [--root PATH-OF-A-CHECKOUT]
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

from outbound_bench import ROOT, base_env, checkout_line, prepared_database

MEASURE = """
import resource, time, io
from tracker import create_app
from tracker.clock import utcnow
from tracker.extensions import db
from tracker.models import AccountabilityRecord, Role, User
from tracker.services.ledger import notices
from tracker.services.work.deadlines import local_today
from tracker.settings import settings
import sqlalchemy as sa
app = create_app()
with app.app_context():
    zone = settings(app).timezone
    office = db.session.scalars(sa.select(User).where(User.role == Role.OFFICE_ADMIN)).first()
    if office is None:
        from tracker.services.trust import accounts
        office = accounts.create_user(username="bench_office", display_name="bench", role=Role.OFFICE_ADMIN,
                                      unit=accounts.unit_by_key("office"), password="Bench-pass-1",
                                      hasher=accounts.make_hasher(fast=True), actor=None, now=utcnow())
    day = local_today(utcnow(), zone)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    found = notices.notices_of_day(day, actor=office, timezone=zone)
    records = getattr(found, "records", found)
    total = getattr(found, "total", len(records))
    pdf = notices.render_pdf(notices.notice_rows(records, timezone=zone))
    took = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from pypdf import PdfReader
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    print(f"notices that day {total:5}; in this document {len(records):5}; {took:6.1f} s; {pages:5} pages, "
          f"{len(pdf) / 1e6:5.1f} MB; peak RSS {before:6.0f} MB before rendering, {peak:6.0f} MB after")
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args()
    root = args.root.resolve()
    print(checkout_line(root))
    folder = Path(tempfile.mkdtemp(prefix="notices-bench-"))
    try:
        prepared_database(root, folder)
        subprocess.run([str(root / ".venv/bin/python"), "-c", MEASURE], cwd=root, env=base_env(root, folder),
                       check=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
