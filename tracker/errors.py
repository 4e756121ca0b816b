"""One tree of errors. Services raise these; only error_handlers.py decides what HTTP makes of them.

Each error carries a stable `code` a program can branch on and a message in Chinese and English, so every
refusal can be explained to the person or program that caused it.
"""
from __future__ import annotations

from typing import Any


class TrackerError(Exception):
    status = 400
    code = "error"

    def __init_subclass__(cls, *, status: int | None = None, code: str | None = None, **kwargs: Any) -> None:
        """A kind of refusal names its HTTP status and code in its class line: `class X(TrackerError, status=...)`."""
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status
        if code is not None:
            cls.code = code

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


class NotFound(TrackerError, status=404, code="not_found"):
    """What was asked for does not exist, or is not the caller's to know about."""


class NotAllowed(TrackerError, status=403, code="forbidden"):
    """The caller is known but may not do this (permissions, item_rules)."""


class InvalidTransition(TrackerError, status=422, code="invalid_transition"):
    """The item's workflow does not lead from its status to the one asked for."""


class StaleVersion(TrackerError, status=409, code="stale_version"):
    """Someone changed the item since the caller read it: their change would overwrite one they never saw."""


class Invalid(TrackerError, status=422, code="invalid"):
    """The input breaks a rule: each field's complaint is in `fields`."""


class SettingError(TrackerError, code="setting_invalid"):
    """A setting the tracker cannot run with (tracker/settings.py, tracker/config.py): raised while the app is
    built, with words naming the setting, so the app never starts half-configured."""
