"""Sending mail over SMTP, outside any transaction: only the scheduler's delivery loop calls `MailSender`, with
the messages it read and claimed in a transaction that has ended (tracker/scheduler/delivery.py)."""
from __future__ import annotations

import smtplib
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from . import outbound


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    user: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 30.0


def build_message(*, sender: str, to: str, subject: str, text: str, html: str) -> EmailMessage:
    """A multipart/alternative message in UTF-8: Chinese subject and body survive any relay."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message.set_content(text, charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message


class ServerDown(Exception):
    """The SMTP server could not be reached or greeted us badly: the round stops, the messages wait."""


class MailSender:
    """One SMTP connection for a round's messages, opened on the first message. Connecting and each message
    are bounded as a whole by `settings.timeout` (smtplib's own timeout bounds each read only), and end at once
    when `stop` is set. A message the server refuses is that message's answer; a connection that broke is
    dropped and the next message opens a new one."""

    def __init__(self, settings: SmtpSettings, stop: threading.Event | None = None) -> None:
        self.settings, self.stop = settings, stop
        self.client: smtplib.SMTP | None = None

    def __enter__(self) -> MailSender:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._drop(quit_first=True)

    def send(self, message: EmailMessage) -> outbound.Answer:
        """The message sent, or why not. Raises ServerDown when no connection could be opened."""
        started = time.monotonic()

        def answer(status: int | None, error: str | None) -> outbound.Answer:
            return outbound.Answer(status, error and error[:outbound.ERROR_LENGTH],
                                   int((time.monotonic() - started) * 1000))

        if self.client is None:
            self.client = self._connect()
        client = self.client
        with outbound.Deadline(self.settings.timeout, lambda: client.sock, self.stop) as deadline:
            try:
                client.send_message(message)
                return answer(250, None)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                return answer(None, f"{type(exc).__name__}: {exc}")
            except Exception as exc:  # noqa: BLE001 - the connection is broken: this message failed, reconnect next
                self._drop(quit_first=False)
                if deadline.expired:
                    return answer(None, "已停止发送" if deadline.stop.is_set()
                                  else f"超过 {self.settings.timeout:g} 秒未完成,已中断")
                return answer(None, f"{type(exc).__name__}: {exc}")

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        client = smtplib.SMTP(timeout=s.timeout)
        with outbound.Deadline(s.timeout, lambda: client.sock, self.stop):
            try:
                client.connect(s.host, s.port)
                if s.starttls:
                    client.starttls()
                if s.user:
                    client.login(s.user, s.password)
            except Exception as exc:  # noqa: BLE001 - every way of not getting through is the server being down
                client.close()
                raise ServerDown(f"{type(exc).__name__}: {exc}"[:outbound.ERROR_LENGTH]) from None
        return client

    def _drop(self, *, quit_first: bool) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            if quit_first:
                with outbound.Deadline(5.0, lambda: client.sock):
                    client.quit()
        except Exception:  # noqa: BLE001 - leaving anyway
            pass
        client.close()
