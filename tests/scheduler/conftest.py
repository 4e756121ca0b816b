"""Fixtures for the scheduler's tests: its settings, Shanghai times, and records of one item."""
from __future__ import annotations

from collections.abc import Callable, Iterator
import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from tracker.cli import DEFAULT_PLAN, DEFAULT_UNITS, do_load_plan, do_load_units
from tracker.extensions import db
from tracker.models import AccountabilityRecord
from tracker.scheduler.jobs import Settings

@pytest.fixture
def settings(app: Flask) -> Settings:
    return Settings.from_config(app.config)


@pytest.fixture
def records_of() -> Callable[..., list[AccountabilityRecord]]:
    def get(item_id: int, kind: str | None = None) -> list[AccountabilityRecord]:
        query = sa.select(AccountabilityRecord).where(AccountabilityRecord.item_id == item_id)
        if kind is not None:
            query = query.where(AccountabilityRecord.kind == kind)
        return list(db.session.scalars(query.order_by(AccountabilityRecord.kind, AccountabilityRecord.due_date,
                                                      AccountabilityRecord.level)))
    return get


@pytest.fixture
def real_app(scratch, make_app, tmp_path) -> Iterator[Flask]:
    """An app on a fresh database holding the shipped units and plan, committing for real (not rolled back)."""
    application = make_app(scratch.new(), tmp_path)
    with application.app_context():
        upgrade()
        do_load_units(DEFAULT_UNITS)
        do_load_plan(DEFAULT_PLAN)
        db.session.commit()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
