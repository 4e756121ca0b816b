"""Side by side: Plan Tracker's JSON API against Kanboard's JSON-RPC API, same client, same machine, one run.

For each N (default 1,000 and 5,000 cards), on fresh SQLite files: Plan Tracker under gunicorn as
bench/api_bench.py starts it (2 workers, its `prepare` and `bulk_insert`), and Kanboard under PHP's built-in server
(`php -S`, PHP_CLI_SERVER_WORKERS=2 by default, opcache on) with one project of N tasks bulk-inserted into its
`tasks` table, spread round robin over its 4 default columns, every one due in the past (as every synthetic
Plan Tracker item is). Then, alternating the two systems round by round (ours, Kanboard, ours, Kanboard...) with the
same http.client client (a kept-alive connection per thread; php -S answers `Connection: close`, so Kanboard's
calls each open a new connection, as that server allows):

  board     GET /api/v1/board?plan=<id> (office token)    vs  getBoard(project_id)
  overdue   GET /api/v1/overdue, one call (office)           vs  getOverdueTasksByProject(project_id)
  one item  GET /api/v1/items/{id}, 1 and 2 threads, req/s vs  getTask(task_id)
  moves     POST /api/v1/items/{id}/move (to in_progress)  vs  moveTaskPosition(project, task, column 2, position 1,
                                                                 swimlane)

Kanboard is not part of this repository: bench/kanboard_setup.sh prepares a checkout (see bench/kanboard.md).

    .venv/bin/python bench/kanboard_compare.py --kanboard-root /tmp/kanboard-src --n 1000 5000 [--rounds 3]
"""
from __future__ import annotations

import argparse
import base64
import http.client
import json
import logging
import os
import platform
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_bench import (  # noqa: E402
    Client, bulk_insert, free_port, percentile, prepare, start_server, throughput, timed)

log = logging.getLogger("kanboard_compare")

# Our overdue list in one call: GET /overdue (issue 23), every overdue item of the latest plan in lean rows, no
# pages. Beside it, the paged list it replaces for this use, lean (`fields=`), one page of at most 1,000.
OVERDUE_PATH = "/overdue"
PAGED_LEAN_PATH = "/items?light=red&limit=1000&fields=title,status,unit_id,due_date,light,days_overdue,version"


def our_overdue(client: Client, lean: bool = False) -> tuple[int, bytes, dict[str, str]]:
    return client.call("GET", PAGED_LEAN_PATH if lean else OVERDUE_PATH)


def our_overdue_all(client: Client) -> tuple[int, bytes, dict[str, str]]:
    """Every overdue card as a client gets them today: OVERDUE_PATH, then its `Link` pages to the end. The body
    returned is the count of calls it took."""
    status, data, headers = our_overdue(client)
    calls = 1
    while status == 200 and "Link" in headers:
        path = headers["Link"].split(">", 1)[0].lstrip("<").split("/api/v1", 1)[1]
        status, data, headers = client.call("GET", path)
        calls += 1
    return status, str(calls).encode(), {}


class Kanboard:
    """JSON-RPC over one kept-alive http.client connection per thread (reopened whenever php -S closes it)."""

    OK = b'{"jsonrpc":"2.0","result":'

    def __init__(self, port: int, user: str, password: str) -> None:
        self.port = port
        self.auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        self.local = threading.local()

    def rpc(self, method: str, params: Any = None) -> tuple[int, bytes, dict[str, str]]:
        body = json.dumps({"jsonrpc": "2.0", "method": method, "id": 1, "params": params or []}).encode()
        headers = {"Authorization": self.auth, "Content-Type": "application/json"}
        for attempt in (1, 2):
            try:
                if getattr(self.local, "conn", None) is None:
                    self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
                self.local.conn.request("POST", "/jsonrpc.php", body=body, headers=headers)
                response = self.local.conn.getresponse()
                data = response.read()
                status = response.status
                if not data.startswith(self.OK) or data.startswith(self.OK + b"false"):
                    status = 500  # a JSON-RPC error or a failed procedure: the timing helpers assert on it
                return status, data, dict(response.getheaders())
            except (http.client.RemoteDisconnected, ConnectionError, http.client.CannotSendRequest):
                self.local.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def result(self, method: str, params: Any = None) -> Any:
        status, data, _headers = self.rpc(method, params)
        assert status == 200, data[:300]
        return json.loads(data)["result"]


class TaskAsItem:
    """Kanboard's getTask behind the interface api_bench.throughput calls, so both go through the same loop."""

    def __init__(self, kanboard: Kanboard) -> None:
        self.kanboard = kanboard

    def call(self, _method: str, path: str) -> tuple[int, bytes, dict[str, str]]:
        return self.kanboard.rpc("getTask", [int(path.rsplit("/", 1)[1])])


def start_kanboard(root: Path, data_dir: Path, port: int, workers: int, php: str,
                   log_file: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATA_DIR": str(data_dir), "LOG_DRIVER": "file", "LOG_FILE": str(data_dir / "debug.log")}
    if workers > 1:
        env["PHP_CLI_SERVER_WORKERS"] = str(workers)
    server = subprocess.Popen([php, "-d", "opcache.enable_cli=1", "-d", "memory_limit=512M",
                               "-S", f"127.0.0.1:{port}", "-t", str(root)],
                              cwd=root, env=env, stdout=log_file.open("wb"), stderr=subprocess.STDOUT,
                              start_new_session=True)  # its forked workers outlive a SIGTERM to it: stop the group
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/healthcheck.php")
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.1)
    stop_kanboard(server)
    raise RuntimeError("php -S did not start")


def stop_kanboard(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait()


def seed_kanboard(port: int, data_dir: Path, n: int) -> dict[str, Any]:
    """The schema (Kanboard migrates on its first request), a project through the API, N tasks straight into
    SQLite: round robin over the project's 4 columns, positions 1.. in each, due 1-365 days ago."""
    admin = Kanboard(port, "admin", "admin")
    admin.result("getVersion")  # runs the migrations
    db = sqlite3.connect(data_dir / "db.sqlite", timeout=30)
    token = db.execute("SELECT value FROM settings WHERE option = 'api_token'").fetchone()[0]
    kanboard = Kanboard(port, "jsonrpc", token)
    project_id = kanboard.result("createProject", {"name": "bench"})
    columns = [c["id"] for c in sorted(kanboard.result("getColumns", [project_id]), key=lambda c: c["position"])]
    swimlane_id = kanboard.result("getActiveSwimlanes", [project_id])[0]["id"]
    now = int(time.time())
    positions = dict.fromkeys(columns, 0)
    rows = []
    for i in range(n):
        column = columns[i % len(columns)]
        positions[column] += 1
        rows.append((f"合成任务 {i}", "", now, "yellow", project_id, column, 0, positions[column], 1, 0,
                     now - 86400 * (1 + i % 365), 0, 0, now, "", swimlane_id, now, 0))
    db.executemany(
        "INSERT INTO tasks (title, description, date_creation, color_id, project_id, column_id, owner_id, position,"
        " is_active, score, date_due, category_id, creator_id, date_modification, reference, swimlane_id,"
        " date_moved, priority) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
    db.commit()
    first_column = db.execute("SELECT id FROM tasks WHERE project_id = ? AND column_id = ? ORDER BY position",
                              (project_id, columns[0])).fetchall()
    db.close()
    return {"client": kanboard, "project_id": project_id, "columns": columns, "swimlane_id": swimlane_id,
            "movable": [row[0] for row in first_column], "item_id": first_column[0][0]}


def summary(durations: list[float]) -> dict[str, float]:
    return {"median": statistics.median(durations), "p95": percentile(durations, 95)}


def run(n: int, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="kanboard-compare-") as tmp:
        folder = Path(tmp)
        (folder / "ours").mkdir()
        (folder / "kanboard").mkdir()
        url, setup = prepare(folder / "ours")
        bulk_insert(setup, n)
        our_port, kb_port = free_port(), free_port()
        ours_server = start_server(url, folder / "ours", our_port, args.workers)
        kb_server = start_kanboard(args.kanboard_root, folder / "kanboard", kb_port, args.kanboard_workers,
                                   args.php, folder / "kanboard" / "php-server.log")
        try:
            return measure(n, args, setup, Client(our_port, setup["tokens"]["office"]),
                           Client(our_port, setup["tokens"]["sfj"]), seed_kanboard(kb_port, folder / "kanboard", n))
        finally:
            ours_server.terminate()
            ours_server.wait()
            stop_kanboard(kb_server)


def alternate(rounds: int, ours: Callable[[], Any], theirs: Callable[[], Any]) -> tuple[list[Any], list[Any]]:
    """ours, Kanboard, ours, Kanboard...: `rounds` of each, so drift in the machine's load hits both alike."""
    mine, kb = [], []
    for _ in range(rounds):
        mine.append(ours())
        kb.append(theirs())
    return mine, kb


def flat(blocks: list[tuple[list[float], int]]) -> tuple[list[float], int]:
    return [d for durations, _size in blocks for d in durations], blocks[-1][1]


def measure(n: int, args: argparse.Namespace, setup: dict[str, Any], office: Client, unit: Client,
            kb: dict[str, Any]) -> dict[str, Any]:
    kanboard: Kanboard = kb["client"]
    pid = kb["project_id"]
    board_path = f"/board?plan={setup['plan_id']}"
    result: dict[str, Any] = {"n": n, "rounds": args.rounds, "load_before": os.getloadavg()}

    # What each answer holds, once, outside the timings.
    status, data, headers = office.call("GET", board_path)
    assert status == 200, data[:300]
    board_cards = count_cards(json.loads(data))
    kb_board = kanboard.result("getBoard", [pid])
    result["kb_board_tasks"] = sum(len(col["tasks"]) for lane in kb_board for col in lane["columns"])
    result["our_board_cards"] = board_cards
    status, data, headers = our_overdue(office)
    assert status == 200, data[:300]
    result["our_overdue_count"] = len(json.loads(data))
    result["our_overdue_more"] = "Link" in headers
    result["kb_overdue_count"] = len(kanboard.result("getOverdueTasksByProject", [pid]))
    result["kb_version"] = kanboard.result("getVersion")

    # Warm both (each gunicorn worker, each php worker, opcache) before the first timing.
    for _ in range(4):
        office.call("GET", board_path)
        kanboard.rpc("getBoard", [pid])

    times = args.board_times
    mine, theirs = alternate(args.rounds, lambda: timed(lambda: office.call("GET", board_path), times),
                             lambda: timed(lambda: kanboard.rpc("getBoard", [pid]), times))
    (ours_d, ours_size), (kb_d, kb_size) = flat(mine), flat(theirs)
    result["board"] = {"ours": summary(ours_d), "kanboard": summary(kb_d), "ours_bytes": ours_size,
                       "kb_bytes": kb_size}

    mine, theirs = alternate(args.rounds, lambda: timed(lambda: our_overdue(office), times),
                             lambda: timed(lambda: kanboard.rpc("getOverdueTasksByProject", [pid]), times))
    (ours_d, ours_size), (kb_d, kb_size) = flat(mine), flat(theirs)
    lean = flat([timed(lambda: our_overdue(office, lean=True), times) for _ in range(args.rounds)])
    result["overdue"] = {"ours": summary(ours_d), "kanboard": summary(kb_d), "ours_bytes": ours_size,
                         "kb_bytes": kb_size, "ours_lean": summary(lean[0]), "ours_lean_bytes": lean[1]}
    if result["our_overdue_more"]:  # what it takes today to have all of them, beside Kanboard's one call
        pages = flat([timed(lambda: our_overdue_all(office), max(1, times // 2)) for _ in range(args.rounds)])
        result["overdue"]["ours_all"] = summary(pages[0])
        result["overdue"]["ours_all_calls"] = int(our_overdue_all(office)[1])

    per, our_item = args.item_requests, first_item(office)
    throughput(office, our_item, 2, 20)  # warm both workers of each
    throughput(TaskAsItem(kanboard), kb["item_id"], 2, 20)
    for threads in (1, 2):
        mine, theirs = alternate(args.rounds, lambda: throughput(office, our_item, threads, per),
                                 lambda: throughput(TaskAsItem(kanboard), kb["item_id"], threads, per))
        result[f"item_{threads}"] = {"ours": statistics.median(mine),
                                     "kanboard": statistics.median(theirs)}

    # Moves: each to another column at the top, every card once. Ours: the unit's assigned cards to in_progress;
    # Kanboard: tasks of its first column to the top of its second.
    moves = args.moves
    needed = moves * args.rounds
    _status, page, _headers = unit.call("GET", f"/items?unit={setup['unit_ids'][0]}&status=assigned&limit=1000")
    cards = json.loads(page)[:needed]
    movable = kb["movable"][:needed]
    assert len(cards) == needed and len(movable) == needed, (len(cards), len(movable), needed)

    def our_moves(batch: list[dict[str, Any]]) -> list[float]:
        durations = []
        for card in batch:
            start = time.perf_counter()
            status, data, _headers = unit.call("POST", f"/items/{card['id']}/move",
                                               {"to": "in_progress", "version": card["version"]})
            durations.append((time.perf_counter() - start) * 1000)
            assert status == 200, data[:300]
        return durations

    def kb_moves(batch: list[int]) -> list[float]:
        durations = []
        for task_id in batch:
            start = time.perf_counter()
            status, data, _headers = kanboard.rpc("moveTaskPosition", [pid, task_id, kb["columns"][1], 1,
                                                                       kb["swimlane_id"]])
            durations.append((time.perf_counter() - start) * 1000)
            assert status == 200, data[:300]
        return durations

    done = {"ours": 0, "kanboard": 0}

    def next_ours() -> list[float]:
        r, done["ours"] = done["ours"], done["ours"] + 1
        return our_moves(cards[r * moves:(r + 1) * moves])

    def next_kb() -> list[float]:
        r, done["kanboard"] = done["kanboard"], done["kanboard"] + 1
        return kb_moves(movable[r * moves:(r + 1) * moves])

    mine, theirs = alternate(args.rounds, next_ours, next_kb)
    result["moves"] = {"ours": summary([d for batch in mine for d in batch]),
                       "kanboard": summary([d for batch in theirs for d in batch]), "count": needed}
    result["load_after"] = os.getloadavg()
    return result


def count_cards(node: Any) -> int:
    """The cards anywhere in our board's answer (columns, or swimlanes of columns)."""
    if isinstance(node, dict):
        return sum(len(v) if k == "cards" else count_cards(v) for k, v in node.items())
    return sum(count_cards(v) for v in node) if isinstance(node, list) else 0


def first_item(office: Client) -> int:
    _status, data, _headers = office.call("GET", "/items?limit=1")
    return int(json.loads(data)[0]["id"])


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def report(r: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [f"N={r['n']:,}, Kanboard {r['kb_version']} ({r['rounds']} rounds, alternating ours/Kanboard; "
             f"load average before "
             f"{'/'.join(f'{x:.2f}' for x in r['load_before'])}, after "
             f"{'/'.join(f'{x:.2f}' for x in r['load_after'])})"]

    def time_line(name: str, key: str, note: str = "") -> None:
        ours, kb = r[key]["ours"], r[key]["kanboard"]
        lines.append(f"  {name}: ours {ours['median']:.1f} ms, Kanboard {kb['median']:.1f} ms, ratio "
                     f"{ratio(ours['median'], kb['median'])} (median); p95 ours {ours['p95']:.1f} ms, Kanboard "
                     f"{kb['p95']:.1f} ms, ratio {ratio(ours['p95'], kb['p95'])}{note}")

    time_line("board", "board", f"; {r['board']['ours_bytes']:,} vs {r['board']['kb_bytes']:,} bytes, "
              f"{r['our_board_cards']:,} vs {r['kb_board_tasks']:,} cards")
    cut = (f"; OURS IS CUT AT THE LIMIT: {r['our_overdue_count']:,} cards in the answer and more waiting "
           f"(Link header), Kanboard's holds all {r['kb_overdue_count']:,}") if r["our_overdue_more"] else \
        f"; {r['our_overdue_count']:,} vs {r['kb_overdue_count']:,} cards, ours complete"
    time_line("overdue list, one call", "overdue",
              f"; {r['overdue']['ours_bytes']:,} vs {r['overdue']['kb_bytes']:,} bytes{cut}")
    lean = r["overdue"]["ours_lean"]
    lines.append(f"    (ours, the paged list lean, {PAGED_LEAN_PATH}: {lean['median']:.1f} ms, {r['overdue']['ours_lean_bytes']:,} bytes, "
                 f"ratio to Kanboard {ratio(lean['median'], r['overdue']['kanboard']['median'])})")
    if "ours_all" in r["overdue"]:
        every = r["overdue"]["ours_all"]
        lines.append(f"    (ours, all {r['kb_overdue_count']:,} by following Link: "
                     f"{r['overdue']['ours_all_calls']} calls, {every['median']:.1f} ms, ratio to Kanboard's one call "
                     f"{ratio(every['median'], r['overdue']['kanboard']['median'])})")
    for threads in (1, 2):
        ours, kb = r[f"item_{threads}"]["ours"], r[f"item_{threads}"]["kanboard"]
        lines.append(f"  one item, {threads} client thread{'s' if threads > 1 else ''}: ours {ours:.0f} req/s, "
                     f"Kanboard {kb:.0f} req/s, ours/Kanboard {ratio(ours, kb)}")
    time_line(f"move x{r['moves']['count']}", "moves")
    return "\n".join(lines)


def machine(args: argparse.Namespace) -> str:
    php = subprocess.run([args.php, "-v"], capture_output=True, text=True).stdout.splitlines()[0]
    kanboard = subprocess.run(["git", "-C", str(args.kanboard_root), "describe", "--always", "--tags"],
                              capture_output=True, text=True).stdout.strip() or "(not a git checkout)"
    return (f"Machine: {os.cpu_count()} cores ({platform.processor() or platform.machine()}), load average "
            f"{'/'.join(f'{x:.2f}' for x in os.getloadavg())}; Python {platform.python_version()}; {php}; "
            f"Kanboard at {args.kanboard_root} ({kanboard})\n"
            f"Servers: ours gunicorn, {args.workers} workers (tracker/gunicorn_conf.py); Kanboard php -S (PHP's "
            f"built-in server, single-threaded per process) with PHP_CLI_SERVER_WORKERS={args.kanboard_workers}, "
            f"opcache on, Connection: close on every answer. Both on SQLite (WAL).")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--kanboard-root", type=Path, required=True, help="a Kanboard checkout prepared by "
                        "bench/kanboard_setup.sh")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of each measurement")
    parser.add_argument("--board-times", type=int, default=10, help="board and overdue calls a round")
    parser.add_argument("--item-requests", type=int, default=200, help="one-item requests a thread a round")
    parser.add_argument("--moves", type=int, default=50, help="moves a round")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2, one per core)")
    parser.add_argument("--kanboard-workers", type=int, default=2, help="PHP_CLI_SERVER_WORKERS (1: no forking)")
    parser.add_argument("--php", default="php")
    parser.add_argument("--json", action="store_true", help="also one JSON line per N")
    args = parser.parse_args()
    args.kanboard_root = args.kanboard_root.resolve()
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # the migrations of each fresh database
    log.info(machine(args))
    log.info("Command: %s", " ".join([Path(sys.executable).name, *sys.argv]))
    for n in args.n:
        result = run(n, args)
        log.info(report(result, args))
        if args.json:
            log.info(json.dumps(result))


if __name__ == "__main__":
    main()
