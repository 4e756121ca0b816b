"""Rubrics for the assessment tests of the services and both doors: the shipped one, and one counting 通报 only."""
from __future__ import annotations

from pathlib import Path

RUBRIC = Path(__file__).resolve().parents[1] / "seed_tasks" / "rubric_2023_2025.yaml"
BULLETIN_ONLY = """plan: fzzf-2023-2025
version: "t1"
title: 只计通报
base: 100
rules:
  - {kind: bulletin, label: 通报, points: 2}
"""


def bulletin_only(tmp_path: Path) -> str:
    """A rubric counting 通报 only, for tests of the doors rather than of the shipped numbers."""
    path = tmp_path / "bulletin_only.yaml"
    path.write_text(BULLETIN_ONLY, encoding="utf-8")
    return str(path)
