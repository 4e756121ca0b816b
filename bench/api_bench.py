"""Benchmark of the JSON API under gunicorn on loopback, with a synthetic plan on a fresh SQLite file.

For each N: (1) create N items sequentially over HTTP, items/s (only for N <= --http-create-max; larger N are
bulk-inserted straight into the database, and the report says so); (2) the whole board 20 times: median and p95
ms and bytes; (3) 200 moves to another column at the top: median and p95 ms; (4) the overdue list (first page of
500) 20 times; (5) one item, 1 thread x 200 and 2 threads x 200 requests: requests/s. It also prints the floor:
the same board's rows read with one SQL query and encoded to JSON in process, and the endpoint/floor ratio.

    .venv/bin/python bench/api_bench.py --n 1000 5000 100000
"""
from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker import create_app  # noqa: E402
from tracker.cli import DEFAULT_PLAN, DEFAULT_UNITS, do_load_plan, do_load_units  # noqa: E402
from tracker.clock import utcnow  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.models import Event, ItemStatus, Phase, Plan, Role, Task, Unit, WorkItem  # noqa: E402
from tracker.services import accounts, boards  # noqa: E402
from tracker.services.ordering import GAP  # noqa: E402

log = logging.getLogger("bench")
CARRIERS = ("sfj", "gaj", "scjgj", "sthjj")  # the N items are spread over these units, round robin


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


class Client:
    """One HTTP request per connection, like a script calling the API; sync gunicorn workers close anyway."""

    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        headers = {"Authorization": f"Bearer {self.token}"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, "/api/v1" + path, body=payload, headers=headers)
        response = conn.getresponse()
        data = response.read()
        conn.close()
        return response.status, data


def timed(call: Callable[[], tuple[int, bytes]], times: int) -> tuple[list[float], int]:
    durations, size = [], 0
    for _ in range(times):
        start = time.perf_counter()
        status, data = call()
        durations.append((time.perf_counter() - start) * 1000)
        assert status < 300, (status, data[:300])
        size = len(data)
    return durations, size


def prepare(folder: Path) -> tuple[str, dict[str, Any]]:
    """A migrated SQLite file with the shipped units and plan structure but none of its items, and tokens."""
    from flask_migrate import upgrade

    url = f"sqlite:///{folder / 'bench.db'}"
    os.environ["TRACKER_INSTANCE_PATH"] = str(folder)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TRACKER_PASSWORD_HASH_FAST": True})
    with app.app_context():
        upgrade()
        do_load_units(DEFAULT_UNITS)
        do_load_plan(DEFAULT_PLAN)
        db.session.execute(sa.delete(Event))
        db.session.execute(sa.delete(WorkItem))  # a synthetic plan: the structure, N items of our own
        hasher = app.extensions["password_hasher"]
        tokens = {}
        for name, role, unit_key in (("office", Role.OFFICE_ADMIN, "office"), ("sfj", Role.UNIT_ADMIN, "sfj")):
            user = accounts.create_user(username=name, display_name=name, role=role,
                                        unit=accounts.unit_by_key(unit_key), password="Bench-pass-1",
                                        hasher=hasher, actor=None, now=utcnow())
            tokens[name] = accounts.create_token(user, name="bench", actor=None, now=utcnow())[1]
        plan = db.session.execute(sa.select(Plan)).scalar_one()
        task = db.session.scalars(sa.select(Task).where(Task.plan_id == plan.id).order_by(Task.number)).first()
        phase = db.session.scalars(sa.select(Phase).where(Phase.plan_id == plan.id).order_by(Phase.seq)).first()
        units = {u.key: u.id for u in db.session.scalars(sa.select(Unit).where(Unit.key.in_(CARRIERS)))}
        setup = {"app": app, "plan_id": plan.id, "task_id": task.id, "phase_id": phase.id, "tokens": tokens,
                 "unit_ids": [units[k] for k in CARRIERS], "start": plan.start_date, "end": plan.end_date}
        db.session.commit()
    return url, setup


def due_for(index: int, start: date, end: date) -> date:
    return start + timedelta(days=index % ((end - start).days + 1))


def bulk_insert(setup: dict[str, Any], n: int) -> None:
    """The fast path for large N: rows straight into work_items (no audit events), positions gapped."""
    now = utcnow()
    with setup["app"].app_context():
        rows = [{"plan_id": setup["plan_id"], "task_id": setup["task_id"], "phase_id": setup["phase_id"],
                 "unit_id": setup["unit_ids"][i % len(CARRIERS)], "title": f"合成工作项 {i}",
                 "description": "", "status": ItemStatus.ASSIGNED.value, "position": (i + 1) * GAP,
                 "due_date": due_for(i, setup["start"], setup["end"]),
                 "original_due_date": due_for(i, setup["start"], setup["end"]), "priority": "normal",
                 "recurrence_key": "", "created_at": now, "updated_at": now, "returned_count": 0, "version": 1}
                for i in range(n)]
        for chunk in range(0, n, 10_000):
            db.session.execute(sa.insert(WorkItem), rows[chunk:chunk + 10_000])
        db.session.commit()


def floor_ms(setup: dict[str, Any], times: int) -> float:
    """The same board's rows read with one SQL query and encoded to JSON, in process."""
    durations = []
    with setup["app"].app_context():
        stmt = boards._cards_from().where(WorkItem.plan_id == setup["plan_id"]).order_by(WorkItem.status,
                                                                                         WorkItem.position)
        for _ in range(times):
            start = time.perf_counter()
            rows = [row._asdict() for row in db.session.execute(stmt)]
            json.dumps(rows, default=str)
            durations.append((time.perf_counter() - start) * 1000)
        db.session.rollback()
    return statistics.median(durations)


def start_server(url: str, folder: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url, "TRACKER_INSTANCE_PATH": str(folder)}
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--workers", str(workers),
                               "--bind", f"127.0.0.1:{port}", "--timeout", "300", "--log-level", "warning",
                               "wsgi:app"], cwd=ROOT, env=env)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def run(n: int, http_create_max: int, workers: int, board_times: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="tracker-bench-") as tmp:
        folder = Path(tmp)
        url, setup = prepare(folder)
        port = free_port()
        server = start_server(url, folder, port, workers)
        try:
            return measure(n, http_create_max, board_times, setup, port)
        finally:
            server.terminate()
            server.wait()


def measure(n: int, http_create_max: int, board_times: int, setup: dict[str, Any], port: int) -> dict[str, Any]:
    office, unit = Client(port, setup["tokens"]["office"]), Client(port, setup["tokens"]["sfj"])
    result: dict[str, Any] = {"n": n, "load_before": os.getloadavg()[0]}
    if n <= http_create_max:
        start = time.perf_counter()
        for i in range(n):
            status, data = office.call("POST", "/items", {
                "task_id": setup["task_id"], "phase_id": setup["phase_id"],
                "unit_ids": [setup["unit_ids"][i % len(CARRIERS)]], "title": f"合成工作项 {i}",
                "due_date": due_for(i, setup["start"], setup["end"]).isoformat()})
            assert status == 201, data[:300]
        result["create_items_per_s"] = n / (time.perf_counter() - start)
    else:
        bulk_insert(setup, n)
        result["create_items_per_s"] = None
    board, size = timed(lambda: office.call("GET", f"/board?plan={setup['plan_id']}"), board_times)
    result |= {"board_times": board_times, "board_median_ms": statistics.median(board),
               "board_p95_ms": percentile(board, 95), "board_bytes": size, "floor_ms": floor_ms(setup, board_times)}
    result["ratio"] = result["board_median_ms"] / result["floor_ms"]
    _status, page = unit.call("GET", f"/items?unit={setup['unit_ids'][0]}&status=assigned&limit=200")
    moves = []
    for card in json.loads(page):
        start = time.perf_counter()
        status, data = unit.call("POST", f"/items/{card['id']}/move", {"to": "in_progress",
                                                                       "version": card["version"]})
        moves.append((time.perf_counter() - start) * 1000)
        assert status == 200, data[:300]
    result |= {"moves": len(moves), "move_median_ms": statistics.median(moves), "move_p95_ms": percentile(moves, 95)}
    overdue, _size = timed(lambda: office.call("GET", "/items?light=red&limit=500"), 20)
    result |= {"overdue_median_ms": statistics.median(overdue), "overdue_p95_ms": percentile(overdue, 95)}
    item_id = json.loads(page)[0]["id"]
    for threads in (1, 2):
        result[f"item_rps_{threads}_threads"] = throughput(office, item_id, threads, 200)
    result["load_after"] = os.getloadavg()[0]
    return result


def throughput(client: Client, item_id: int, threads: int, per_thread: int) -> float:
    def work() -> None:
        for _ in range(per_thread):
            status, _data = client.call("GET", f"/items/{item_id}")
            assert status == 200

    workers = [threading.Thread(target=work) for _ in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return threads * per_thread / (time.perf_counter() - start)


def report(result: dict[str, Any]) -> str:
    created = (f"{result['create_items_per_s']:.0f} items/s over HTTP" if result["create_items_per_s"]
               else "bulk-inserted (not over HTTP)")
    return (f"N={result['n']:>7,}  create: {created}\n"
            f"  board x{result['board_times']}: median {result['board_median_ms']:.1f} ms, "
            f"p95 {result['board_p95_ms']:.1f} ms, "
            f"{result['board_bytes']:,} bytes; floor {result['floor_ms']:.1f} ms; ratio {result['ratio']:.2f}\n"
            f"  move x{result['moves']}: median {result['move_median_ms']:.2f} ms, p95 {result['move_p95_ms']:.2f} ms\n"
            f"  overdue list (first 500) x20: median {result['overdue_median_ms']:.1f} ms, "
            f"p95 {result['overdue_p95_ms']:.1f} ms\n"
            f"  one item: {result['item_rps_1_threads']:.0f} req/s (1 thread), "
            f"{result['item_rps_2_threads']:.0f} req/s (2 threads)\n"
            f"  load average (1 min) before/after: {result['load_before']:.2f}/{result['load_after']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 5000, 100_000])
    parser.add_argument("--http-create-max", type=int, default=5000,
                        help="create over HTTP up to this N; bulk-insert above it")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default: 2, one per core)")
    parser.add_argument("--board-times", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="one JSON line per N instead of text")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    for n in args.n:
        result = run(n, args.http_create_max, args.workers, args.board_times)
        log.info(json.dumps(result) if args.json else report(result))


if __name__ == "__main__":
    main()
