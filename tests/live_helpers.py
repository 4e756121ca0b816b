"""Reading a live stream the way a browser's EventSource does, for the stream tests and bench/live_bench.py."""
from __future__ import annotations

import http.cookiejar
import json
import queue
import re
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

PASSWORD = "Correct-Horse-9"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any) -> None:
        return None


class Browser:
    """One browser's cookies; redirects are not followed, so a refusal is seen as what it is."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  _NoRedirect())

    def open(self, path: str, *, data: dict[str, str] | None = None, headers: dict[str, str] | None = None,
             timeout: float = 30) -> Any:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            return self.opener.open(urllib.request.Request(self.base + path, data=body, headers=headers or {}),
                                    timeout=timeout)
        except urllib.error.HTTPError as error:
            return error

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        with self.open(path, headers=headers) as answer:
            return answer.status, dict(answer.headers), answer.read().decode()


def signed_in(base: str, username: str, password: str = PASSWORD) -> Browser:
    """A browser after the real login form (with its CSRF token)."""
    browser = Browser(base)
    _status, _headers, page = browser.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, page[:500]
    with browser.open("/login", data={"csrf_token": token.group(1), "username": username,
                                      "password": password}) as answer:
        assert answer.status == 302 and "/login" not in answer.headers["Location"], answer.read()[:500]
    return browser


@dataclass
class Message:
    """One server-sent event as the browser dispatches it."""

    event: str
    data: str
    id: str | None

    @property
    def item(self) -> int | None:
        return json.loads(self.data)["item"] if self.event == "item" else None


class Stream:
    """An open stream read in a thread: its events arrive in `messages`, with the time each arrived."""

    def __init__(self, browser: Browser, path: str, headers: dict[str, str] | None = None) -> None:
        self.response = browser.open(path, headers=headers, timeout=60)
        self.status = self.response.status
        self.content_type = self.response.headers.get("Content-Type", "")
        self.messages: queue.Queue[tuple[float, Message]] = queue.Queue()
        self.seen: list[Message] = []
        self.comments = 0
        self.ended = False  # the server closed it (a worker with no stream thread left says retry later)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        fields: dict[str, Any] = {}
        try:
            for raw in iter(self.response.readline, b""):
                line = raw.decode().rstrip("\r\n")
                if line.startswith(":"):
                    self.comments += 1
                elif line:
                    name, _colon, value = line.partition(":")
                    fields[name] = value.removeprefix(" ")
                elif "data" in fields:
                    self.messages.put((time.monotonic(), Message(fields.get("event", "message"), fields["data"],
                                                                 fields.get("id"))))
                    fields = {}
                else:
                    fields = {}
        except (OSError, AttributeError, ValueError):
            return  # closed by the test
        self.ended = True

    def next_item(self, item_id: int, within: float) -> float:
        """Wait for an `item` event naming this item; the moment it arrived (AssertionError if it did not)."""
        deadline = time.monotonic() + within
        while (left := deadline - time.monotonic()) > 0:
            try:
                at, message = self.messages.get(timeout=left)
            except queue.Empty:
                break
            self.seen.append(message)
            if message.item == item_id:
                return at
        raise AssertionError(f"no event for item {item_id} within {within} s; saw {self.seen}")

    def drain(self, seconds: float) -> list[Message]:
        """Everything that arrives within `seconds`."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                self.seen.append(self.messages.get(timeout=left)[1])
            except queue.Empty:
                break
        return self.seen

    def close(self) -> None:
        """Hang up as a closed tab does: the socket first, so the reading thread sees the end at once (closing
        the response alone waits for the reader, until the next heartbeat)."""
        try:
            self.response.fp.raw._sock.shutdown(socket.SHUT_RDWR)
        except (AttributeError, OSError):
            pass
        self._thread.join(timeout=5)
        self.response.close()
