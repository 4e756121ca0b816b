"""How many one-item answers a second the server alone allows, beside ours: the ceiling no app code can pass.

Three servers run side by side, each gunicorn exactly as tracker/gunicorn_conf.py configures it (2 gthread
workers, kept-alive connections, no access log), each answering `GET /api/v1/items/{id}`:

  bare   a WSGI function that returns the same 879 bytes of JSON an item is (no framework, no database)
  flask  a bare Flask app that returns those bytes from a route (routing, request and response objects)
  ours   Plan Tracker itself (api_bench's data: N items on SQLite, the office's token)

The same client as api_bench.py and kanboard_compare.py (http.client, one kept-alive connection per thread)
measures each at 1 and 2 client threads, the three alternating round by round so a change of load hits all
alike. What it says: the part of a request that is gunicorn's and the client's on this machine, the part that is
Flask's, and the part that is ours.

    .venv/bin/python bench/server_floor.py [--n 1000] [--rounds 3] [--requests 2000]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_bench import Client, bulk_insert, free_port, listening, prepare, start_server, throughput  # noqa: E402

BODY = (b'{"id":1,"title":"' + "合成工作项".encode() * 40 + b'"}').ljust(879, b" ")


def bare(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(BODY)))])
    return [BODY]


def flask_app() -> Any:
    from flask import Flask, Response

    app = Flask(__name__)

    @app.get("/api/v1/items/<int:item_id>")
    def item(item_id: int) -> Response:
        return Response(BODY, mimetype="application/json")
    return app


flask = flask_app()


def start_floor(app: str, port: int) -> subprocess.Popen[bytes]:
    """gunicorn with the app's own settings file, serving `app` of this module instead of the tracker."""
    env = {**os.environ, "TRACKER_BIND": f"127.0.0.1:{port}", "TRACKER_WORKERS": "2"}
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "python:tracker.gunicorn_conf",
                               "--access-logfile", "/dev/null", "--log-level", "warning",
                               "--pythonpath", str(Path(__file__).resolve().parent), f"server_floor:{app}"],
                              cwd=Path(__file__).resolve().parent.parent, env=env)
    return listening(server, port)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=2000, help="requests a thread a round")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tracker-floor-") as tmp:
        url, setup = prepare(Path(tmp))
        bulk_insert(setup, args.n)
        ports = {name: free_port() for name in ("bare", "flask", "ours")}
        servers = {"bare": start_floor("bare", ports["bare"]), "flask": start_floor("flask", ports["flask"]),
                   "ours": start_server(url, Path(tmp), ports["ours"], 2)}
        try:
            clients = {name: Client(port, setup["tokens"]["office"]) for name, port in ports.items()}
            _status, data, _headers = clients["ours"].call("GET", "/items?limit=1")
            item_id = int(data.split(b'"id":', 1)[1].split(b",", 1)[0])
            load = os.getloadavg()
            print(f"Machine: {os.cpu_count()} cores, load average {load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f}; "
                  f"{args.rounds} rounds of {args.requests} requests a thread, alternating bare/flask/ours")
            for threads in (1, 2):
                for client in clients.values():
                    throughput(client, item_id, threads, 50)  # warm every worker
                found: dict[str, list[float]] = {name: [] for name in clients}
                for _round in range(args.rounds):
                    for name, client in clients.items():
                        found[name].append(throughput(client, item_id, threads, args.requests))
                        time.sleep(0.2)
                medians = {name: statistics.median(values) for name, values in found.items()}
                print(f"  {threads} client thread{'s' if threads > 1 else ''}: "
                      + ", ".join(f"{name} {value:.0f} req/s" for name, value in medians.items())
                      + f"; ours / bare {medians['ours'] / medians['bare']:.2f}, "
                        f"ours / flask {medians['ours'] / medians['flask']:.2f}")
            load = os.getloadavg()
            print(f"load average after: {load[0]:.2f}/{load[1]:.2f}/{load[2]:.2f}")
        finally:
            for server in servers.values():
                server.terminate()
                server.wait()


if __name__ == "__main__":
    main()
