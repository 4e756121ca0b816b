"""Helpers for the demo tests: build a demo into a folder, and read its database back as plain values."""
from __future__ import annotations

import hashlib
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

from tracker import create_app
from tracker.demo.build import DemoPaths, DemoResult, build
from tracker.demo.cli import DEFAULT_UNTIL

DEMO_DEFAULT_DATE = date.fromisoformat(DEFAULT_UNTIL)


def build_demo(folder: Path, until: date, **kwargs: Any) -> tuple[DemoPaths, DemoResult]:
    paths = DemoPaths(folder)
    return paths, build(create_app, paths, until=until, real_url=None, **kwargs)


def rows(paths: DemoPaths, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(paths.database) as conn:
        return conn.execute(sql, params).fetchall()


def canonical_dump(paths: DemoPaths) -> dict[str, list[tuple[Any, ...]]]:
    """Every table, every column, in primary-key order; plus the stored evidence files and their hashes."""
    conn = sqlite3.connect(paths.database)
    try:
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        dump = {table: conn.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall() for table in tables}
    finally:
        conn.close()
    dump["(files)"] = sorted((f.name, hashlib.sha256(f.read_bytes()).hexdigest())
                             for f in paths.files.iterdir() if f.is_file())
    return dump
