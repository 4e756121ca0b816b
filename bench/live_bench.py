"""Benchmark of live pages (issue 22): 200 open streams held while a unit moves cards, under gunicorn.

gunicorn runs with the production settings (tracker/gunicorn_conf.py: gthread, TRACKER_THREADS request threads
plus TRACKER_LIVE_STREAMS stream threads per worker) on loopback, against a fresh database (a SQLite file, or a
database of its own on BENCH_POSTGRES's server) with the shipped plan's structure and N synthetic items. Then:
1. after 20 moves to warm up, the unit signs `--moves` of its cards through the API (`POST /items/{id}/move`) with no stream open: the
   move's median and p95;
2. `--streams` streams are opened (half the office's, half the unit's: two people, many tabs) and held; the unit
   signs as many other cards again: the move's median and p95 beside the first, and how long each change took to
   reach each stream (from the move's answer to the event's arrival), over every stream and every move;
3. the streams are closed and the unit signs as many again (so a drift in the machine's load shows);
4. each worker's resident memory and thread count with the streams open, and the load average.

    .venv/bin/python bench/live_bench.py --n 2000 --streams 200 --moves 200
    BENCH_POSTGRES=postgresql://postgres@127.0.0.1:55432/postgres .venv/bin/python bench/live_bench.py
"""
from __future__ import annotations

import argparse
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

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(Path(__file__).resolve().parent), str(ROOT)]

from api_bench import Client, bulk_insert, free_port, percentile, prepare, start_server  # noqa: E402
from tests.live_helpers import Stream, signed_in  # noqa: E402

from tracker.extensions import db  # noqa: E402
from tracker.models import User  # noqa: E402
from tracker.services.work import live_events  # noqa: E402

log = logging.getLogger("bench")
PASSWORD = "Bench-pass-1"


def workers_of(server_pid: int) -> list[dict[str, float]]:
    """Each gunicorn worker's resident memory (MB) and threads now."""
    found = []
    try:
        children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    except OSError:
        return []
    for pid in children:
        fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
        found.append({"rss_mb": int(fields["VmRSS"].split()[0]) / 1024, "threads": int(fields["Threads"])})
    return found


def sign_cards(unit: Client, unit_id: int, count: int) -> tuple[list[float], list[tuple[int, float]]]:
    """The unit signs `count` of its cards one after another: each move's time (ms), and (item, moment answered)."""
    _status, page, _headers = unit.call("GET", f"/items?unit={unit_id}&status=assigned&limit={count}")
    durations, answered = [], []
    for card in json.loads(page):
        start = time.perf_counter()
        status, data, _headers = unit.call("POST", f"/items/{card['id']}/move",
                                           {"to": "in_progress", "version": card["version"]})
        end = time.monotonic()
        durations.append((time.perf_counter() - start) * 1000)
        answered.append((card["id"], end))
        assert status == 200, data[:300]
    return durations, answered


def delivery(streams: list[Stream], answered: list[tuple[int, float]], wait: float) -> dict[str, Any]:
    """How long after each move's answer each stream had its event (ms; negative: before the answer reached the
    client), and how many events never arrived."""
    time.sleep(wait)
    moved = dict(answered)
    delays, missing = [], 0
    for stream in streams:
        arrived: dict[int, float] = {}
        while not stream.messages.empty():
            at, message = stream.messages.get()
            if message.item in moved:
                arrived.setdefault(message.item, at)
        missing += len(moved) - len(arrived)
        delays += [(at - moved[item]) * 1000 for item, at in arrived.items()]
    return {"deliveries": len(delays), "missing": missing, "median_ms": statistics.median(delays),
            "p95_ms": percentile(delays, 95), "max_ms": max(delays)}


def measure(n: int, stream_count: int, move_count: int, postgres: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="tracker-live-bench-") as tmp:
        folder = Path(tmp)
        url, setup = prepare(folder, database_for(postgres) if postgres else None)
        bulk_insert(setup, n)
        app = setup["app"]
        with app.app_context():
            db.session.execute(sa.update(User).values(must_change_password=False))
            db.session.commit()
        port = free_port()
        # Every worker may hold every stream: gunicorn does not spread connections evenly over its workers (one
        # took 152 of 200 with 110 threads each, and the rest were told to retry later).
        per_worker = stream_count
        os.environ["TRACKER_LIVE_STREAMS"] = str(per_worker)
        os.environ["TRACKER_TWO_FACTOR_ROLES"] = "none"  # as in api_bench's app: the office signs in with a password
        server = start_server(url, folder, port, workers=2, threads=32)
        base = f"http://127.0.0.1:{port}"
        result: dict[str, Any] = {"n": n, "streams": stream_count, "database": "postgresql" if postgres else "sqlite",
                                  "stream_threads_per_worker": per_worker, "load_before": os.getloadavg()[0]}
        streams: list[Stream] = []
        try:
            unit = Client(port, setup["tokens"]["sfj"])
            unit_id = setup["unit_ids"][0]
            sign_cards(unit, unit_id, 20)  # warm up: the first requests of a fresh worker fill its caches
            quiet, _answered = sign_cards(unit, unit_id, move_count)
            result["without_streams"] = {"median_ms": statistics.median(quiet), "p95_ms": percentile(quiet, 95)}
            result["workers_before"] = workers_of(server.pid)
            browsers = {who: signed_in(base, who, PASSWORD) for who in ("office", "sfj")}
            with app.app_context():
                since = f"/live/stream?since={live_events.last_id()}"
                db.session.remove()
            opening = time.perf_counter()
            streams = [Stream(browsers["office" if i % 2 else "sfj"], since) for i in range(stream_count)]
            result["open_streams_s"] = time.perf_counter() - opening
            assert all(s.status == 200 and s.content_type.startswith("text/event-stream") for s in streams), \
                [s.status for s in streams if s.status != 200][:5]
            time.sleep(1)
            busy, answered = sign_cards(unit, unit_id, move_count)
            result["with_streams"] = {"median_ms": statistics.median(busy), "p95_ms": percentile(busy, 95)}
            result["workers_with_streams"] = workers_of(server.pid)
            result["delivery"] = delivery(streams, answered, wait=3)
            result["streams_ended_early"] = sum(s.ended for s in streams)
            for stream in streams:
                stream.close()
            streams = []
            time.sleep(1)
            again, _answered = sign_cards(unit, unit_id, move_count)
            result["after_streams"] = {"median_ms": statistics.median(again), "p95_ms": percentile(again, 95)}
            result["load_after"] = os.getloadavg()[0]
        finally:
            for stream in streams:
                stream.close()
            server.terminate()
            server.wait()
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
            if postgres:
                drop_database(postgres)
        return result


def database_for(server_url: str) -> str:
    """A database of its own on that PostgreSQL server (dropped at the end)."""
    admin = sa.create_engine(server_url.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "tracker_live_bench_{os.getpid()}"')
    admin.dispose()
    return (sa.make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
            .set(database=f"tracker_live_bench_{os.getpid()}").render_as_string(hide_password=False))


def drop_database(server_url: str) -> None:
    admin = sa.create_engine(server_url.replace("postgresql://", "postgresql+psycopg://", 1),
                             isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "tracker_live_bench_{os.getpid()}" WITH (FORCE)')
    admin.dispose()


def report(result: dict[str, Any]) -> str:
    quiet, busy, reach = result["without_streams"], result["with_streams"], result["delivery"]
    workers = ", ".join(f"{w['rss_mb']:.0f} MB/{w['threads']} threads" for w in result["workers_with_streams"])
    before = ", ".join(f"{w['rss_mb']:.0f} MB/{w['threads']} threads" for w in result["workers_before"])
    return "\n".join([
        f"{result['database']}, N={result['n']:,}, {result['streams']} streams "
        f"({result['stream_threads_per_worker']} stream threads per worker, 2 workers)",
        f"  move, no stream open      median {quiet['median_ms']:6.1f} ms  p95 {quiet['p95_ms']:6.1f} ms",
        f"  move, {result['streams']} streams open   median {busy['median_ms']:6.1f} ms  p95 {busy['p95_ms']:6.1f} ms",
        f"  move, streams closed again median {result['after_streams']['median_ms']:5.1f} ms  "
        f"p95 {result['after_streams']['p95_ms']:6.1f} ms",
        f"  change reaching a stream  median {reach['median_ms']:6.1f} ms  p95 {reach['p95_ms']:6.1f} ms  "
        f"max {reach['max_ms']:6.1f} ms  ({reach['deliveries']:,} deliveries, {reach['missing']} missing)",
        f"  opening the streams       {result['open_streams_s']:.2f} s; ended early (worker full): "
        f"{result['streams_ended_early']}",
        f"  workers before: {before}; with the streams: {workers}",
        f"  load average (1 min) before/after: {result['load_before']:.2f}/{result['load_after']:.2f}"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--moves", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    result = measure(args.n, args.streams, args.moves, os.environ.get("BENCH_POSTGRES"))
    log.info(json.dumps(result) if args.json else report(result))


if __name__ == "__main__":
    main()
