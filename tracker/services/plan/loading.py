"""Loading the units and a plan from their YAML files: read, check against what is already loaded, write.

`flask tracker load-units` / `load-plan`, the demo's build and the tests' template database all load the shipped
files this one way, so a file the CLI accepts is a file the demo and the tests accept. The caller owns the
transaction and the clock.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

from ...config import ROOT
from ...extensions import db
from ...models import Plan, Unit, UnitKind
from . import plan_files, seeding
from .seed_files import read_yaml

SEED_DIR = ROOT / "seed_tasks"
DEFAULT_UNITS = SEED_DIR / "units_sample.yaml"
DEFAULT_PLAN = SEED_DIR / "plan_2023_2025.yaml"


def load_units_file(path: Path, *, now: datetime) -> seeding.LoadReport:
    """Create or update the units (and their kinds) the file lists; FileProblems names everything wrong in it."""
    data = plan_files.parse_units(read_yaml(path))
    return seeding.load_units(data, now=now)


def load_plan_file(path: Path, *, now: datetime) -> tuple[Plan, seeding.LoadReport]:
    """Create or update the plan the file describes; its carriers must name units, kinds and tags already loaded."""
    units = list(db.session.scalars(sa.select(Unit)))
    data = plan_files.parse_plan(
        read_yaml(path), unit_keys={u.key for u in units},
        kinds=set(db.session.scalars(sa.select(UnitKind.key))),
        tags={t for u in units for t in u.tags})
    return seeding.load_plan(data, now=now)
