"""One tree of errors. Services raise these; only error_handlers.py decides what HTTP makes of them.

Each error carries a stable `code` a program can branch on and a message in Chinese and English, so every
refusal can be explained to the person or program that caused it.
"""
from __future__ import annotations

from typing import Any


class TrackerError(Exception):
    status = 400
    code = "error"

    def __init__(self, message_zh: str, message_en: str | None = None, *, code: str | None = None,
                 fields: dict[str, Any] | None = None) -> None:
        super().__init__(message_zh)
        self.message_zh = message_zh
        self.message_en = message_en or message_zh
        if code:
            self.code = code
        self.fields = fields or {}

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh

    def to_dict(self, lang: str = "zh") -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status, "code": self.code, "message": self.message(lang)}
        if self.fields:
            body["errors"] = self.fields
        return body


class NotFound(TrackerError):
    status = 404
    code = "not_found"


class NotAllowed(TrackerError):
    status = 403
    code = "forbidden"


class InvalidTransition(TrackerError):
    status = 422
    code = "invalid_transition"


class StaleVersion(TrackerError):
    status = 409
    code = "stale_version"


class Invalid(TrackerError):
    status = 422
    code = "invalid"


class SettingError(TrackerError):
    """A setting the tracker cannot run with (tracker/settings.py, tracker/config.py): raised while the app is
    built, with words naming the setting, so the app never starts half-configured."""

    code = "setting_invalid"
