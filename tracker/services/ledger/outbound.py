"""Calls to servers outside the tracker: which addresses it may reach, and a POST that ends by a deadline.

A URL the office types is input like any other, and one the tracker will call from inside the city's network:
left unchecked it reaches the tracker's own database port, the cloud's metadata service or a colleague's
intranet box, and the delivery log reads back as a port scanner. So a URL is http(s) only, has no whitespace or
control characters, and its host must resolve to public addresses only; a city whose 政务 receivers live on
private addresses names them in TRACKER_WEBHOOK_ALLOW (CIDRs or host names). The check runs when the hook is
registered and again at every send, and the connection goes to the address that was checked, so a name that
resolves elsewhere later (DNS rebinding) gains nothing. Redirects are never followed.

`urlopen`'s timeout bounds each read, not the call: a receiver trickling a byte every few seconds keeps it
forever. `Deadline` bounds the whole exchange (connect, request, response) by shutting the socket down from a
timer thread, and does the same at once when the scheduler is told to stop.
"""
from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urlsplit

from ...errors import Invalid

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
MAX_URL_LENGTH = 500
ERROR_LENGTH = 300


@dataclass(frozen=True)
class AllowList:
    """Private receivers the city allows: networks by CIDR, hosts by name (lower case, without port)."""

    networks: tuple[Network, ...] = ()
    hosts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def parse(cls, setting: str | Iterable[str] | AllowList | None) -> AllowList:
        """From TRACKER_WEBHOOK_ALLOW: comma- or space-separated CIDRs, addresses and host names.
        Raises ValueError naming the entry that is neither."""
        if isinstance(setting, AllowList):
            return setting
        entries = (setting or "").replace(",", " ").split() if isinstance(setting, str | None) else list(setting)
        networks: list[Network] = []
        hosts: set[str] = set()
        for entry in entries:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
                continue
            except ValueError:
                pass
            name = entry.strip().lower().rstrip(".")
            if not name or not all(part and len(part) < 64 and all(c.isalnum() or c == "-" for c in part)
                                   for part in name.split(".")):
                raise ValueError(f"TRACKER_WEBHOOK_ALLOW: {entry!r} is neither a CIDR nor a host name")
            hosts.add(name)
        return cls(tuple(networks), frozenset(hosts))

    def admits(self, host: str, address: Address) -> bool:
        return host in self.hosts or any(address in network for network in self.networks)


@dataclass(frozen=True)
class Target:
    """A checked URL: where to connect (a vetted address) and what to ask for there."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def refuse(zh: str, en: str) -> Invalid:
    return Invalid(zh, en, fields={"url": [zh]}, code="url_refused")


def check(url: str, *, allow: AllowList, connecting: bool = False) -> Target:
    """The URL taken apart, or Invalid saying why it may not be called. Its host is resolved and every address
    vetted, except when registering a host the allow-list names (it may live on a network the tracker reaches
    only later); `connecting` resolves always, since the connection goes to the vetted address."""
    if len(url) > MAX_URL_LENGTH:
        raise refuse(f"网址过长(不超过 {MAX_URL_LENGTH} 个字符)", f"The URL is longer than {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in url):
        raise refuse("网址不能含空格或控制字符", "The URL may not contain whitespace or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise refuse("网址格式不正确", "The URL is malformed") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise refuse("地址须为 http(s):// 开头的完整网址", "The URL must be a full http(s) address")
    if parts.username or parts.password:
        raise refuse("网址不能含用户名或密码", "The URL may not carry a user name or password")
    host = parts.hostname.lower().rstrip(".")
    port = port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if not connecting and host in allow.hosts:
        return Target(parts.scheme, host, port, path, "")
    return Target(parts.scheme, host, port, path, str(vetted_address(host, port, allow=allow)))


def vetted_address(host: str, port: int, *, allow: AllowList) -> Address:
    """The first address of `host`, when every address it resolves to may be called."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise refuse(f"无法解析主机名 {host}", f"The host name {host} does not resolve") from None
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    for address in addresses:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if _internal(address) and not allow.admits(host, address):
            raise refuse("不允许向内网、本机或保留地址发送(如确需,请由管理员在 TRACKER_WEBHOOK_ALLOW 中列明)",
                         "Private, loopback and reserved addresses may not be called "
                         "unless TRACKER_WEBHOOK_ALLOW names them")
    return addresses[0]


def _internal(address: Address) -> bool:
    """Not a public unicast address (`is_global` alone lets multicast through)."""
    return (not address.is_global or address.is_multicast or address.is_reserved or address.is_loopback
            or address.is_link_local or address.is_unspecified or address.is_private)


class Deadline:
    """Ends one exchange with an outside server `seconds` from now, or at once when `stop` is set: the socket
    the exchange uses (read through `sock`, since it exists only once connected) is shut down, so whatever call
    is blocked on it returns with an error."""

    def __init__(self, seconds: float, sock: Callable[[], socket.socket | None],
                 stop: threading.Event | None = None) -> None:
        self.seconds, self.sock, self.stop = seconds, sock, stop or threading.Event()
        self.expired = False
        self._done = threading.Event()
        self._watch = threading.Thread(target=self._watch_over, daemon=True)

    def __enter__(self) -> Deadline:
        self._started = time.monotonic()
        self._watch.start()
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._done.set()
        self._watch.join()

    def remaining(self) -> float:
        return max(0.05, self.seconds - (time.monotonic() - self._started))

    def _watch_over(self) -> None:
        end = time.monotonic() + self.seconds
        while not self._done.is_set():
            if self.stop.is_set() or time.monotonic() >= end:
                self.expired = True
                sock = self.sock()
                if sock is not None:
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                return
            self._done.wait(min(0.1, max(0.0, end - time.monotonic())))


@dataclass(frozen=True)
class Answer:
    """What one attempt came to: the receiver's status, or why there was none; and how long it took."""

    status: int | None
    error: str | None
    ms: int

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _Pinned(http.client.HTTPConnection):
    """Connects to the vetted address whatever the host name resolves to now; Host stays the name."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self.target = target

    def connect(self) -> None:
        self.sock = socket.create_connection((self.target.address, self.target.port), self.timeout)


class _PinnedTLS(_Pinned):
    def connect(self) -> None:
        super().connect()
        self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=self.target.host)


def post(url: str, body: bytes, headers: Mapping[str, str], *, allow: AllowList, seconds: float,
         stop: threading.Event | None = None, accept: Callable[[bytes], str | None] | None = None) -> Answer:
    """POST `body` once. Never raises: a refused URL, a network error, a redirect or the deadline passing is
    an Answer with an error, in words short enough for the delivery log. `accept` reads a 2xx answer's body and
    names what is wrong with it, for receivers that say "refused" inside a 200 (the 政务 apps' robots)."""
    started = time.monotonic()

    def answer(status: int | None, error: str | None) -> Answer:
        return Answer(status, error[:ERROR_LENGTH] if error else None, int((time.monotonic() - started) * 1000))

    try:
        target = check(url, allow=allow, connecting=True)
    except Invalid as exc:
        return answer(None, exc.message_zh)
    kind = _PinnedTLS if target.scheme == "https" else _Pinned
    connection = kind(target, timeout=seconds)
    try:
        with Deadline(seconds, lambda: connection.sock, stop) as deadline:
            error = None
            try:
                connection.request("POST", target.path, body=body, headers=dict(headers))
                response = connection.getresponse()
                content = response.read(64 * 1024)
                status = response.status
            except Exception as exc:  # noqa: BLE001 - one attempt's every failure is recorded, never raised
                error = f"{type(exc).__name__}: {exc}"
        # A socket shut down mid-headers reads as their end, so an answer cut off can look whole: the deadline
        # decides, not what was read.
        if deadline.expired:
            return answer(None, "已停止发送" if deadline.stop.is_set() else f"超过 {seconds:g} 秒未完成,已中断")
        if error is not None:
            return answer(None, error)
    finally:
        connection.close()
    if 300 <= status < 400:
        return answer(status, f"HTTP {status}:不跟随重定向")
    if 200 <= status < 300:
        return answer(status, None) if accept is None else _accepted(answer, status, accept(content))
    return answer(status, f"HTTP {status}")


def _accepted(answer: Callable[[int | None, str | None], Answer], status: int, refusal: str | None) -> Answer:
    """A 2xx whose body refused the message is no acknowledgement: no status, so it is retried."""
    return answer(status, None) if refusal is None else answer(None, f"HTTP {status}:{refusal}")
