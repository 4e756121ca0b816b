"""Language of the pages: Simplified Chinese unless the person chose English with the switch.

The choice lives in the session rather than in Accept-Language: the issue asks for Chinese by default, and a
browser's English preference on a government PC should not override that silently.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, session
from flask_babel import Babel, get_locale

LANGUAGES = ("zh", "en")


def select_locale() -> str:
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else "zh"


def current_lang() -> str:
    return str(get_locale() or "zh")


def pick(pair: tuple[str, str] | list[str]) -> str:
    """The Chinese or English half of a (zh, en) label pair, as the services keep them."""
    return pair[1] if current_lang() == "en" else pair[0]


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)
    helpers: dict[str, Any] = {"current_lang": current_lang, "pick": pick}
    app.jinja_env.globals.update(helpers)
