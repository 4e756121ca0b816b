"""What every web view needs from the app and the clock: today's deadlines and the evidence storage.

Services take these as arguments (explicit actor and clock); this is the one place the web layer builds them.
"""
from __future__ import annotations

from pathlib import Path

from flask import current_app

from ..clock import utcnow
from ..services.work.boards import Deadlines
from ..services.work.deadlines import local_today
from ..services.work.progress import Storage


def deadlines() -> Deadlines:
    return Deadlines(today=local_today(utcnow(), current_app.config["TRACKER_TIMEZONE"]),
                     warning_days=current_app.config["TRACKER_WARNING_DAYS"])


def storage() -> Storage:
    folder = current_app.config.get("TRACKER_UPLOAD_DIR") or Path(current_app.instance_path) / "files"
    return Storage(folder=Path(folder), max_bytes=current_app.config["TRACKER_UPLOAD_MAX_BYTES"])
