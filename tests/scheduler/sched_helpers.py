"""Helpers shared by the scheduler's tests (imported by name: tests/ is not a package)."""
import socket
import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from aiosmtpd.controller import Controller

SHANGHAI = ZoneInfo("Asia/Shanghai")


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant given as Shanghai wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def send(settings, channel: str, *, now: datetime | None = None) -> dict[str, int]:
    """One delivery round of one channel ("webhook", "person_message", "notification_mail", "digest_mail"), as the runner's tick
    sends after its jobs."""
    from tracker.scheduler import delivery

    found = delivery.channels_of(settings)
    return delivery.deliver(found[channel], holder="test-scheduler", now=now)


class Inbox:
    """An aiosmtpd handler keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 OK"


def free_port() -> int:
    """Controller(port=0) does not work: pick a free port by binding a socket first."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox


class Trickler:
    """A receiver that answers one header byte every `every` seconds and never finishes: urlopen's timeout, which
    bounds each read, never fires on it. `connected` is set once a sender has reached it (the tests and
    bench/outbound_bench.py wait on it)."""

    def __init__(self, every: float = 0.5) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connected = threading.Event()
        self.done = threading.Event()
        self.every = every
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def _serve(self) -> None:
        while not self.done.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        self.connected.set()
        try:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while not self.done.is_set():
                conn.sendall(b"a")
                time.sleep(self.every)
        except OSError:
            pass
        finally:
            conn.close()

    def stop(self) -> None:
        self.done.set()
        self.listener.close()
