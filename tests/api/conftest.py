"""API fixtures: a token per role, a client that sends it, and the clock at the conftest's NOW.

The API reads the wall clock (tracker.clock); the shipped plan runs 2023-2025, so the tests travel to a day
inside it, where traffic lights have all three colours.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from tests.api.api_helpers import NOW, ApiClient
from tests.assessment_helpers import draft_and_issued
from flask import Flask

from tracker.extensions import db
from tracker.models import Bulletin, Role, User
from tracker.services.trust import accounts


@pytest.fixture(autouse=True)
def _in_the_plan() -> Iterator[None]:
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def token_for() -> Callable[[User], str]:
    def make(user: User) -> str:
        _token, secret = accounts.create_token(user, name="test", actor=user, now=NOW)
        return secret
    return make


@pytest.fixture
def api_as(app: Flask, token_for: Callable[[User], str]) -> Callable[[User | None], ApiClient]:
    """An API client acting as a user (None: no token at all).

    It commits what the test built so far: a refused request rolls its transaction back, and must not take the
    test's own setup with it.
    """
    def make(user: User | None) -> ApiClient:
        client = ApiClient(app.test_client(), token_for(user) if user else None)
        db.session.commit()
        return client
    return make


@pytest.fixture
def leader(make_user: Callable[..., User]) -> User:
    return make_user(Role.LEADER, "city")


@pytest.fixture
def sfj_admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.UNIT_ADMIN, "sfj")


@pytest.fixture
def sfj_member(make_user: Callable[..., User]) -> User:
    return make_user(Role.UNIT_MEMBER, "sfj")


@pytest.fixture
def gaj_admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.UNIT_ADMIN, "gaj")


# The API's 通报 tests and its text-rule tests.
@pytest.fixture
def two(plan: Any, office: User) -> dict[str, Bulletin]:
    """A draft (2023-03) and an issued bulletin (2023-02)."""
    return draft_and_issued(plan, office, NOW, issued=("month", "2023-02"))
