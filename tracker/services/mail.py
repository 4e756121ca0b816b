"""Sending mail over SMTP. Only the scheduler and the CLI call this, after their transaction has committed."""
from __future__ import annotations

import smtplib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    user: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 30.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings | None:
        """None when no host is configured: digests are then stored and shown, not mailed."""
        if not config.get("TRACKER_SMTP_HOST"):
            return None
        return cls(host=config["TRACKER_SMTP_HOST"], port=int(config.get("TRACKER_SMTP_PORT") or 25),
                   sender=config.get("TRACKER_SMTP_FROM") or "tracker@localhost",
                   user=config.get("TRACKER_SMTP_USER") or "", password=config.get("TRACKER_SMTP_PASSWORD") or "",
                   starttls=bool(config.get("TRACKER_SMTP_STARTTLS")))


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


@contextmanager
def smtp_connection(settings: SmtpSettings) -> Iterator[smtplib.SMTP]:
    """One connection for a batch of messages. Raises OSError / SMTPException when the server is unreachable."""
    client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.starttls:
            client.starttls()
        if settings.user:
            client.login(settings.user, settings.password)
        yield client
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()
