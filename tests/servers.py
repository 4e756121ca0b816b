"""Real server processes for tests: gunicorn with the production settings and the scheduler, on loopback.

Each runs as `make run` runs it (tracker/gunicorn_conf.py, `flask tracker scheduler`), pointed at a test's own
database through the environment, with its output in a file of the test's temporary folder.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
START_WITHIN_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(app: Flask, **extra: str) -> dict[str, str]:
    """What a process needs to serve the test app's database, instance folder and uploads."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TEST_DATABASE", "PYTEST"))}
    env.update(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], SECRET_KEY=app.config["SECRET_KEY"],
               TRACKER_INSTANCE_PATH=app.instance_path, TRACKER_UPLOAD_DIR=app.config["TRACKER_UPLOAD_DIR"],
               FLASK_APP="wsgi.py",
               # as in the tests' own config: they sign in with passwords (test_two_factor.py tests the codes)
               TRACKER_TWO_FACTOR_ROLES="none")
    env.update(extra)
    return env


@contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A child process, stopped (SIGTERM, then SIGKILL) when the block ends, whatever happened in it."""
    with log.open("wb") as out:
        child = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield child
        finally:
            if child.poll() is None:
                child.terminate()
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()


def wait_until_listening(port: int, child: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_WITHIN_SECONDS
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"the server exited with {child.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not listen within {START_WITHIN_SECONDS} s:\n{log.read_text()[-3000:]}")


@contextmanager
def gunicorn(app: Flask, log: Path, **extra: str) -> Iterator[str]:
    """gunicorn serving `app`'s database with tracker/gunicorn_conf.py on a free port; yields its base URL."""
    port = free_port()
    env = environment(app, TRACKER_BIND=f"127.0.0.1:{port}", **extra)
    with process([str(BIN / "gunicorn"), "-c", "python:tracker.gunicorn_conf", "wsgi:app"], env, log) as child:
        wait_until_listening(port, child, log)
        yield f"http://127.0.0.1:{port}"


@contextmanager
def scheduler(app: Flask, log: Path, **extra: str) -> Iterator[subprocess.Popen[bytes]]:
    """`flask tracker scheduler` on `app`'s database, as `make run` starts it beside the web server."""
    with process([str(BIN / "flask"), "tracker", "scheduler"], environment(app, **extra), log) as child:
        yield child
