"""`make run`'s server: gunicorn with tracker/gunicorn_conf.py, started for real on loopback."""
from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

from . import servers

# Well under gunicorn's 30 s worker timeout: a server that waits for the slow clients fails this bound.
ANSWER_WITHIN_SECONDS = 10


@contextmanager
def half_sent(url: str, count: int) -> Iterator[list[socket.socket]]:
    """`count` clients that opened a connection and sent half their headers."""
    port = int(url.rsplit(":", 1)[1])
    slow = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
    try:
        for connection in slow:
            connection.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ")
        yield slow
    finally:
        for connection in slow:
            connection.close()


def test_two_idle_connections_sending_partial_headers_do_not_stall_a_real_request(committed_app: Flask,
                                                                                  tmp_path: Path) -> None:
    with servers.gunicorn(committed_app, tmp_path / "gunicorn.log") as url, half_sent(url, 2):
        with urllib.request.urlopen(f"{url}/login", timeout=ANSWER_WITHIN_SECONDS) as answer:
            assert answer.status == 200


def test_twenty_clients_trickling_their_headers_do_not_starve_real_requests(committed_app: Flask,
                                                                           tmp_path: Path) -> None:
    """16 such clients were enough to time out real requests on 2 workers × 8 threads (issue 19 point 10)."""
    with servers.gunicorn(committed_app, tmp_path / "gunicorn.log") as url, half_sent(url, 20) as slow:
        for _ in range(10):
            for connection in slow:  # a byte each, now and then: every one of them still sending
                connection.sendall(b"a")
            with urllib.request.urlopen(f"{url}/login", timeout=ANSWER_WITHIN_SECONDS) as answer:
                assert answer.status == 200


def test_make_run_says_where_it_serves_and_that_production_goes_behind_the_proxy(committed_app: Flask,
                                                                                   tmp_path: Path) -> None:
    log = tmp_path / "gunicorn.log"
    with servers.gunicorn(committed_app, log) as url:
        urllib.request.urlopen(f"{url}/login", timeout=ANSWER_WITHIN_SECONDS).close()
    text = log.read_text()
    assert f"督办看板已启动:{url}/" in text and "反向代理(nginx)" in text


def test_the_server_names_no_version_and_logs_each_request(committed_app: Flask, tmp_path: Path) -> None:
    log = tmp_path / "gunicorn.log"
    with servers.gunicorn(committed_app, log) as url:
        with urllib.request.urlopen(f"{url}/login", timeout=ANSWER_WITHIN_SECONDS) as answer:
            server = answer.headers.get("Server", "")
    assert "gunicorn" not in server.lower() and not any(c.isdigit() for c in server)
    assert '"GET /login HTTP/1.1" 200' in log.read_text()
