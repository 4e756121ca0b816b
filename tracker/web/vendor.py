"""htmx 2.0.x served by the app from the PyPI package that ships it: no CDN, no copy in the repository."""
from __future__ import annotations

from pathlib import Path

import js_lib_htmx
from flask import Blueprint

HTMX_DIR = Path(js_lib_htmx.__file__).resolve().parent / "static" / "htmx"

bp = Blueprint("vendor", __name__, static_folder=str(HTMX_DIR), static_url_path="/vendor/htmx")
