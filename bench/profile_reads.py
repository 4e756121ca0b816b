"""Where the reads spend their time: pyinstrument over the board, the overdue list and one item, in process.

The same synthetic data as bench/api_bench.py (its `prepare` and `bulk_insert`: the shipped plan's structure and N
items, every one overdue), the office's token, Flask's test client (no HTTP, no gunicorn), so what is printed is
the request's own Python: routing, authentication, the query, the cards, the encoding. Each read is called a few
times first (warm caches, as a worker serving traffic has), then `--times` times under the profiler; the top of
each profile is printed (pyinstrument's text, only frames over `--min-pct` of the time).

    .venv/bin/pip install pyinstrument
    .venv/bin/python bench/profile_reads.py --n 5000 [--times 20] [--overdue-path /overdue?plan={plan}]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_bench import bulk_insert, prepare  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--times", type=int, default=20)
    parser.add_argument("--min-pct", type=float, default=3.0)
    parser.add_argument("--overdue-path", default="/items?light=red&limit=1000",
                        help="the overdue list's path under /api/v1 ({plan} is the plan's id)")
    parser.add_argument("--only", nargs="*", default=["board", "overdue", "item"])
    args = parser.parse_args()
    from pyinstrument import Profiler

    with tempfile.TemporaryDirectory(prefix="tracker-profile-") as tmp:
        _url, setup = prepare(Path(tmp))
        bulk_insert(setup, args.n)
        app = setup["app"]
        headers = {"Authorization": f"Bearer {setup['tokens']['office']}"}
        client = app.test_client()
        first = client.get("/api/v1/items?limit=1", headers=headers).get_json()[0]["id"]
        paths = {"board": f"/api/v1/board?plan={setup['plan_id']}",
                 "overdue": "/api/v1" + args.overdue_path.format(plan=setup["plan_id"]),
                 "item": f"/api/v1/items/{first}"}
        for name in args.only:
            path = paths[name]
            times = args.times * (20 if name == "item" else 1)
            for _ in range(3):
                assert client.get(path, headers=headers).status_code == 200
            durations = []
            profiler = Profiler(interval=0.0005)
            profiler.start()
            for _ in range(times):
                start = time.perf_counter()
                response = client.get(path, headers=headers)
                response.get_data()  # a streamed board is built as it is read
                durations.append((time.perf_counter() - start) * 1000)
            profiler.stop()
            print(f"=== {name}: GET {path}, N={args.n:,}, {times} calls, median {statistics.median(durations):.2f} ms,"
                  f" {len(response.data):,} bytes")
            print(profiler.output_text(show_all=False, color=False, unicode=False,
                                       flat=True, processor_options={"filter_threshold": args.min_pct / 100}))


if __name__ == "__main__":
    main()
