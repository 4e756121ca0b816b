"""The first page of a PDF of evidence as a small PNG, so the office reviewing a submission sees the document
rather than a link to it.

Rendered by poppler's `pdftoppm` (Debian's poppler-utils) in a child process with a time and memory limit: a
malformed or hostile PDF can only make that process fail, and a failure means "no thumbnail" (the page then
offers the link). Stored files never change (each has its own random name), so a thumbnail rendered once is
kept beside them in `.thumbnails/` and never goes stale; it is a cache, outside backups and the files report.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

THUMBNAIL_DIR = ".thumbnails"
WIDTH = 480  # pixels: sharp at the queue's 10rem on a high-density screen, small enough to send at once
TIMEOUT_SECONDS = 20
# The shell sets the limits and then becomes pdftoppm: bounded memory (KiB) and CPU seconds whatever the file
# asks for (a preexec_fn would do the same but is unsafe in gunicorn's threaded workers).
LIMITED = f'ulimit -v {512 * 1024} && ulimit -t {TIMEOUT_SECONDS} && exec "$0" "$@"'


def pdf_first_page(folder: Path, stored_name: str) -> Path | None:
    """The PNG of the stored PDF's first page, rendered on first use and cached; None when it cannot be made
    (no pdftoppm on the machine, a broken or hostile file, a render that takes too long)."""
    cached = folder / THUMBNAIL_DIR / f"{stored_name}.png"
    if cached.is_file():
        return cached
    source = folder / stored_name
    program = shutil.which("pdftoppm")
    if program is None or not source.is_file():
        return None
    cached.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cached.parent) as work:
        prefix = Path(work) / "page"
        try:
            subprocess.run(["/bin/sh", "-c", LIMITED, program, "-png", "-f", "1", "-l", "1", "-singlefile",
                            "-scale-to-x", str(WIDTH), "-scale-to-y", "-1", str(source), str(prefix)],
                           check=True, capture_output=True, timeout=TIMEOUT_SECONDS,
                           env={"PATH": os.environ.get("PATH", "")})
        except (OSError, subprocess.SubprocessError) as error:
            log.info("no thumbnail for %s: %s", stored_name, error)
            return None
        rendered = prefix.with_suffix(".png")
        if not rendered.is_file():
            return None
        rendered.replace(cached)  # atomic: two requests rendering at once both leave one whole file
    return cached
