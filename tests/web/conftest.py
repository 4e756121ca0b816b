"""Helpers for the web tests: signing a person in without the login form, and the people of a small city."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import g
from flask.testing import FlaskClient

from tracker.clock import utcnow
from tracker.models import Role, User
from tracker.services.trust import security


@pytest.fixture
def sign_in(client: FlaskClient) -> Callable[[User], FlaskClient]:
    """Puts the user in the test client's session (the login page has its own tests).

    pytest-flask keeps one app context for the whole test, so Flask-Login's cached user in `g` is dropped too,
    or a second person signed in within a test would act as the first.
    """
    def sign(user: User) -> FlaskClient:
        user.must_change_password = False
        g.pop("_login_user", None)
        record = security.start_session(user, address="127.0.0.1", now=utcnow())
        with client.session_transaction() as session:
            session["sid"] = record.id
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        return client
    return sign


@pytest.fixture
def people(make_user: Callable[..., User], office: User) -> dict[str, User]:
    """One account per role, units 市司法局 (sfj) and another unit, for the role × view matrix."""
    return {
        "office": office,
        "leader": make_user(Role.LEADER, "city"),
        "sfj_admin": make_user(Role.UNIT_ADMIN, "sfj"),
        "sfj_member": make_user(Role.UNIT_MEMBER, "sfj"),
        "other_admin": make_user(Role.UNIT_ADMIN, "gaj"),
    }


@pytest.fixture
def clerk(make_user: Callable[..., User]) -> User:
    """An account that logs in through the real form (login name `clerk`, password Correct-Horse-9)."""
    user = make_user(Role.UNIT_ADMIN, "sfj", username="clerk", password="Correct-Horse-9")
    user.must_change_password = False
    return user
