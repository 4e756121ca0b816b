"""Rubrics for the assessment tests of the services and both doors (the shipped one, and one counting 通报 only),
and the 通报 both doors' tests read."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from tracker.config import DEFAULT_LADDER
from tracker.extensions import db
from tracker.models import Bulletin, Plan, User
from tracker.services.assessment import bulletins
from tracker.services.ledger.ladder import parse_ladder

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


def draft_and_issued(plan: Plan, office: User, now: datetime, *, issued: tuple[str, str]) -> dict[str, Bulletin]:
    """A draft 通报 of 2023-03 and one issued for `issued` (kind, period), for the doors' 通报 tests."""
    draft = bulletins.prepare(plan, bulletins.parse_period("month", "2023-03"), now=now)
    done = bulletins.prepare(plan, bulletins.parse_period(*issued), now=now)
    bulletins.issue(done, actor=office, expected_version=done.version, now=now, ladder=parse_ladder(DEFAULT_LADDER))
    db.session.flush()
    return {"draft": draft, "issued": done}
