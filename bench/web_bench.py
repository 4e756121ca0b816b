"""Benchmark of the web pages: the office's board for a plan of N items, and a move through the web endpoint.

The app runs in process and is driven through its whole WSGI stack by Flask's test client (sessions, CSRF off,
templates, htmx headers, compression), so the figures are the server's own time without network. The plan is
synthetic: the shipped structure with N items bulk-inserted (the API bench's setup), spread over the four columns
and over every unit of the sample city but the office and the city government (26 units: the office's real
shape, whose board by unit is 26 lanes). Sizes are as sent to a browser (gzip) and, in brackets, uncompressed.

    .venv/bin/python bench/web_bench.py --n 10000
"""
from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_bench import bulk_insert, percentile, prepare  # noqa: E402

from tracker.extensions import db  # noqa: E402
from tracker.models import ItemStatus, Unit, User, WorkItem  # noqa: E402

log = logging.getLogger("bench")
SPREAD = (ItemStatus.ASSIGNED, ItemStatus.ASSIGNED, ItemStatus.IN_PROGRESS, ItemStatus.IN_PROGRESS,
          ItemStatus.IN_PROGRESS, ItemStatus.SUBMITTED, ItemStatus.DONE, ItemStatus.DONE)


def spread_columns(setup: dict[str, Any]) -> None:
    """Put the items in every column (by id, round robin), so each column is long."""
    with setup["app"].app_context():
        for index, status in enumerate(SPREAD):
            db.session.execute(sa.update(WorkItem).where(WorkItem.id % len(SPREAD) == index)
                               .values(status=status.value))
        db.session.execute(sa.update(User).values(must_change_password=False))
        db.session.commit()


def signed_in(app: Any, username: str) -> Any:
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": "Bench-pass-1"})
    assert response.status_code == 302, response.status_code
    return client


def timed_get(client: Any, url: str, times: int,
              headers: dict[str, str] | None = None) -> tuple[list[float], int, int]:
    """Durations, and the size of the last answer as sent (a browser accepts gzip) and uncompressed."""
    durations, sent, whole = [], 0, 0
    for _ in range(times):
        start = time.perf_counter()
        response = client.get(url, headers={"Accept-Encoding": "gzip", **(headers or {})})
        body = response.get_data()
        durations.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        sent = len(body)
        whole = len(gzip.decompress(body)) if response.headers.get("Content-Encoding") == "gzip" else sent
    return durations, sent, whole


def spread_units(setup: dict[str, Any]) -> None:
    """Items for every unit that carries work in the sample city, not only the API bench's four."""
    with setup["app"].app_context():
        setup["unit_ids"] = list(db.session.scalars(sa.select(Unit.id).where(Unit.key.not_in(("office", "city")))
                                                    .order_by(Unit.id)))
        db.session.rollback()


def measure(n: int, times: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="tracker-web-bench-") as tmp:
        _url, setup = prepare(Path(tmp))
        spread_units(setup)
        bulk_insert(setup, n)
        spread_columns(setup)
        app = setup["app"]
        app.config.update(WTF_CSRF_ENABLED=False)
        office, unit = signed_in(app, "office"), signed_in(app, "sfj")
        result: dict[str, Any] = {"n": n, "load_before": os.getloadavg()[0]}
        for name, client, url, headers in (
                ("office_board", office, "/board", None),
                ("office_board_fragment", office, "/board?light=red", {"HX-Request": "true"}),
                ("office_board_lanes_unit", office, "/board?lanes=unit", None),
                ("unit_board", unit, "/board", None),
                ("load_more", office, "/board/column?status=in_progress&offset=30", {"HX-Request": "true"})):
            durations, sent, whole = timed_get(client, url, times, headers)
            result[name] = {"median_ms": statistics.median(durations), "p95_ms": percentile(durations, 95),
                            "bytes": sent, "uncompressed_bytes": whole}
        result["move"] = moves(app, unit, setup["unit_ids"][0])
        result["load_after"] = os.getloadavg()[0]
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        return result


def moves(app: Any, client: Any, unit_id: int, count: int = 200) -> dict[str, float]:
    """A unit signs `count` cards: each a POST to /items/<id>/move answered with the card's HTML."""
    with app.app_context():
        cards = db.session.execute(sa.select(WorkItem.id, WorkItem.version).where(
            WorkItem.unit_id == unit_id, WorkItem.status == ItemStatus.ASSIGNED).limit(count)).all()
        db.session.rollback()
    durations = []
    for item_id, version in cards:
        start = time.perf_counter()
        response = client.post(f"/items/{item_id}/move", data={"to": "in_progress", "version": version},
                               headers={"HX-Request": "true"})
        response.get_data()
        durations.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return {"count": len(durations), "median_ms": statistics.median(durations), "p95_ms": percentile(durations, 95)}


def report(result: dict[str, Any]) -> str:
    lines = [f"N={result['n']:,}"]
    for name in ("office_board", "office_board_fragment", "office_board_lanes_unit", "unit_board", "load_more"):
        figures = result[name]
        lines.append(f"  {name:<24} median {figures['median_ms']:6.1f} ms  p95 {figures['p95_ms']:6.1f} ms  "
                     f"{figures['bytes'] / 1024:7.1f} KB ({figures['uncompressed_bytes'] / 1024:.1f} KB)")
    move = result["move"]
    lines.append(f"  move x{move['count']:<19} median {move['median_ms']:6.2f} ms  p95 {move['p95_ms']:6.2f} ms")
    lines.append(f"  load average (1 min) before/after: {result['load_before']:.2f}/{result['load_after']:.2f}")
    if result["n"] == 10_000:
        board, lanes = result["office_board"], result["office_board_lanes_unit"]
        lines += ["Targets (issue 14), office board of 10,000 items:",
                  f"  board page, median server time   {board['median_ms']:6.1f} ms   target <= 100 ms   "
                  f"{'met' if board['median_ms'] <= 100 else 'MISSED'}",
                  f"  swimlanes by unit, median        {lanes['median_ms']:6.1f} ms   target <= 150 ms   "
                  f"{'met' if lanes['median_ms'] <= 150 else 'MISSED'}",
                  f"  swimlanes by unit, size sent     {lanes['bytes'] / 1024:6.1f} KB   target <= 150 KB   "
                  f"{'met' if lanes['bytes'] <= 150 * 1024 else 'MISSED'}"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10_000])
    parser.add_argument("--times", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="one JSON line per N instead of text")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    for n in args.n:
        result = measure(n, args.times)
        log.info(json.dumps(result) if args.json else report(result))


if __name__ == "__main__":
    main()
