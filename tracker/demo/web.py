"""The 演示数据 banner: every page served on the demo database says so, with the day its clock is stopped at."""
from __future__ import annotations

from typing import Any

from flask import Flask

from ..clock import utcnow
from ..services.work.deadlines import local_today
from ..settings import settings


def init_demo_banner(app: Flask) -> None:
    """Offer `demo_banner` to every template (None unless TRACKER_DEMO is set); _demo_banner.html shows it."""

    @app.context_processor
    def demo_banner() -> dict[str, Any]:
        if not settings().demo:
            return {"demo_banner": None}
        return {"demo_banner": {"day": local_today(utcnow(), settings().timezone).isoformat()}}
