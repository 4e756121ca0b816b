"""Steps the browser scenarios share: serving the app, logging in through the real form, and screenshots for the
artifacts."""
from __future__ import annotations

import struct
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

from tracker import create_app

from tracker import live_hub
from tracker.demo.build import DemoPaths, DemoResult, demo_app
from tracker.extensions import db

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "Correct-Horse-9"


def log_in(page: Any, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


@contextmanager
def signed_in(browser: Any, url: str, username: str, password: str = PASSWORD) -> Iterator[Any]:
    """A desktop page (1400x900, zh-CN) on the app at `url`, logged in through the form; its context closes after."""
    context = browser.new_context(base_url=url, viewport={"width": 1400, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        log_in(page, username, password)
        yield page
    finally:
        context.close()


def log_out(page: Any) -> None:
    page.click("header form button:has-text('退出')")


def shoot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def closing(app: Any) -> Any:
    """The app with each response read whole and closed before it is sent. Werkzeug's development server closes
    a response only after draining the socket; when the browser drops a request (a page left while app.js loads)
    that drain raises first and the static file stays open, an unclosed-file warning that fails whichever test is
    running when it is collected (once in CI). The tracker itself is served by gunicorn; this is the test server's
    concern only."""
    def respond(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == "/live/stream":  # a live stream never ends by itself: passed through
            return app(environ, start_response)
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()
    return respond


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """The app served on a free loopback port in a thread of this process: its address."""
    server = make_server("127.0.0.1", 0, closing(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        live_hub.close_all()  # open live streams end, so their threads do not outlive the server
        server.shutdown()
        thread.join()
        # Requests still being answered (one the browser gave up on) are waited for: their database connection goes
        # back to the pool before the app's engine is disposed, not to a disposed pool where it is collected open
        # (a ResourceWarning that failed the next test's setup on PostgreSQL in CI).
        server.server_close()


@contextmanager
def served_demo(paths: DemoPaths, result: DemoResult) -> Iterator[tuple[str, str]]:
    """A built demo served on loopback with its clock stopped: its address and the demo accounts' password."""
    app = demo_app(create_app, paths, {"TRACKER_CLOCK_AT": result.clock_at})
    try:
        with serving(app) as url:
            yield url, result.password
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def tiny_png(path: Path) -> Path:
    """A real 8×8 red PNG, so the upload's content check and the browser's decoder both accept it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    pixels = b"".join(b"\x00" + b"\xb4\x23\x18" * 8 for _ in range(8))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b""))
    return path


def column(page, status: str):
    return page.locator(f'.column-cards[data-status="{status}"]')


def submit_with_evidence(page, card_id: int, evidence: Path, report: str) -> None:
    with page.expect_response(lambda r: "/move-form" in r.url):
        page.locator(f"#card-{card_id}").drag_to(column(page, "submitted"))
    page.wait_for_selector("#dialog[open] textarea[name=note]")
    page.fill("#dialog textarea[name=note]", report)
    page.set_input_files("#dialog input[type=file]", str(evidence))
    shoot(page, "submit-dialog")
    with page.expect_navigation():
        page.click("#dialog button[type=submit]")
