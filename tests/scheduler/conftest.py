"""Fixtures for the scheduler's tests: its settings, Shanghai times, and records of one item."""
from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask

from tracker.extensions import db
from tracker.models import AccountabilityRecord
from tracker.settings import Settings, settings as settings_of


@pytest.fixture
def settings(app: Flask) -> Settings:
    return settings_of(app)


@pytest.fixture
def records_of() -> Callable[..., list[AccountabilityRecord]]:
    def get(item_id: int, kind: str | None = None) -> list[AccountabilityRecord]:
        query = sa.select(AccountabilityRecord).where(AccountabilityRecord.item_id == item_id)
        if kind is not None:
            query = query.where(AccountabilityRecord.kind == kind)
        return list(db.session.scalars(query.order_by(AccountabilityRecord.kind, AccountabilityRecord.due_date,
                                                      AccountabilityRecord.level)))
    return get
