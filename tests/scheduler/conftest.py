"""Fixtures for the scheduler's tests: its settings, Shanghai times, and records of one item."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from tests.scheduler.sched_helpers import free_port

from tracker.extensions import db
from tracker.models import AccountabilityRecord
from tracker.services.ledger.mail import SmtpSettings
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


# A real SMTP server on a free port, for the digest and notification mail tests.
@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def mail_settings(settings, smtp_port):
    return dataclasses.replace(settings, smtp=SmtpSettings(host="127.0.0.1", port=smtp_port,
                                                           sender="ldxzbgs@xx.example.gov.cn", timeout=5))
