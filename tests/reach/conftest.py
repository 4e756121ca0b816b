"""Fixtures for reaching people: the scheduler's settings with a public address, and a person responsible for an
item of 司法局 who chose its 钉钉 robot and gave a mobile."""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask

from tracker.models import ItemStatus, Role, User, WorkItem
from tracker.services.ledger import outbound, reach_config
from tracker.settings import Settings, settings as settings_of

ALLOW = outbound.AllowList.parse("127.0.0.1")


@pytest.fixture
def settings(app: Flask) -> Settings:
    return dataclasses.replace(settings_of(app), public_url="https://dbkb.example.gov.cn")


@pytest.fixture
def late_item(make_item: Callable[..., WorkItem]) -> WorkItem:
    return make_item(due=date(2023, 12, 31), status=ItemStatus.IN_PROGRESS, title="河道保洁")


@pytest.fixture
def responsible(late_item: WorkItem, make_user: Callable[..., User], now) -> User:
    """The item's person responsible (责任人), reached by the unit's 钉钉 robot and by SMS."""
    person = make_user(Role.UNIT_MEMBER, "sfj")
    late_item.responsible_user_id = person.id
    reach_config.choose(actor=person, channels=["dingtalk"], mobile="13800001111", now=now)
    return person
