"""Evidence files for the tests of every door: a set with one file refused, what a refused upload must leave as it
was (the rows and the stored files)."""
from __future__ import annotations

import io
from pathlib import Path

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Attachment, Event, IndicatorReport, ProgressUpdate


PDF = b"%PDF-1.4\n%figure\n"


def files_with_one_refused() -> list[tuple[io.BytesIO, str]]:
    return [(io.BytesIO(PDF), "统计表.pdf"), (io.BytesIO(b"MZ\x90\x00 an executable"), "virus.exe")]


def rows() -> tuple[int, ...]:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (IndicatorReport, ProgressUpdate, Attachment, Event))


def stored_files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()
