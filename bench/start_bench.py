"""`make run` from start to serving, on this clone once set up (issue 14: <= 10 s).

Sets the clone up first if it is not (`make setup`, not timed), then starts `make run` on a free loopback port
three times and times each from the command to the first 200 of the login page, then stops it (the scheduler
with it). Every start is a cold start of the processes: gunicorn imports the app, the scheduler beside it too.

    .venv/bin/python bench/start_bench.py
"""
from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 10


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def one_start() -> float:
    port = free_port()
    start = time.perf_counter()
    child = subprocess.Popen(["make", "--no-print-directory", "run", f"TRACKER_BIND=127.0.0.1:{port}"], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - start
            except (urllib.error.URLError, ConnectionError):
                if child.poll() is not None:
                    raise RuntimeError(f"make run exited with {child.returncode}") from None
                time.sleep(0.05)
    finally:
        os.killpg(child.pid, signal.SIGTERM)
        child.wait()


def main() -> None:
    subprocess.run(["make", "--no-print-directory", "setup"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    load = os.getloadavg()[0]
    times = [one_start() for _ in range(3)]
    median = statistics.median(times)
    print(f"make run, start to serving (3 starts): {', '.join(f'{t:.1f}' for t in times)} s; "
          f"load average (1 min) before {load:.2f}, after {os.getloadavg()[0]:.2f}")
    print("Targets (issue 14):")
    print(f"  make run start to serving, median   {median:5.1f} s   target <= {TARGET_SECONDS} s   "
          f"{'met' if median <= TARGET_SECONDS else 'MISSED'}")
    sys.exit(0)


if __name__ == "__main__":
    main()
