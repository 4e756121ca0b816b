"""A password change is guarded like a login, and a change or a reset logs the old password's holders out."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
import time_machine

from tracker.extensions import db
from tracker.models import Event, Role, UserSession
from tracker.services import accounts

PASSWORD = "Correct-Horse-9"
NEW = "Brand-New-Secret-7"
START = "2024-03-04 09:00:00+08:00"


@pytest.fixture
def clerk(make_user):
    user = make_user(Role.UNIT_ADMIN, "sfj", username="clerk", password=PASSWORD)
    user.must_change_password = False
    return user


def login(client, username: str = "clerk", password: str = PASSWORD, address: str = "10.0.0.1"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def change(client, current: str, new: str = NEW):
    return client.post("/password", data={"current": current, "new": new}, environ_base={"REMOTE_ADDR": "10.0.0.1"})


def live_sessions(user) -> int:
    return db.session.execute(sa.select(sa.func.count()).where(UserSession.user_id == user.id,
                                                               UserSession.ended_at.is_(None))).scalar_one()


def test_twelve_wrong_current_passwords_lock_the_account_and_the_right_one_then_fails(app, client, clerk):
    hasher = app.extensions["password_hasher"]
    with time_machine.travel(START, tick=False):
        assert login(client).status_code == 302
        for n in range(12):
            assert change(client, f"guess-{n}").status_code == 422
        refused = change(client, PASSWORD)
        assert refused.status_code == 422 and "锁定" in refused.get_data(as_text=True)
        assert accounts.check_password(clerk, PASSWORD, hasher) and not accounts.check_password(clerk, NEW, hasher)
        assert login(app.test_client()).status_code == 401  # the same counters as the login page
    actions = list(db.session.scalars(sa.select(Event.action).where(Event.actor_id == clerk.id)))
    assert actions.count("auth.password_check_failed") >= 5


def test_a_wrong_current_password_does_not_say_whether_the_new_one_is_the_current_one(client, clerk):
    login(client)
    page = change(client, "not-it", new=PASSWORD).get_data(as_text=True)
    assert "当前密码不正确" in page and "不能与当前密码相同" not in page


def test_a_password_change_ends_the_users_other_sessions_but_not_its_tokens(app, client, clerk, now):
    _token, secret = accounts.create_token(clerk, name="脚本", actor=None, now=now)
    elsewhere = app.test_client()
    assert login(elsewhere, address="10.0.0.2").status_code == 302
    assert login(client).status_code == 302
    assert elsewhere.get("/").status_code == 200
    assert change(client, PASSWORD).status_code == 302
    assert elsewhere.get("/").status_code == 302
    assert client.get("/").status_code == 200
    assert live_sessions(clerk) == 1
    assert accounts.user_for_token(secret) is clerk


def test_an_office_reset_ends_the_users_sessions_but_not_its_tokens(app, client, clerk, make_user, now):
    _token, secret = accounts.create_token(clerk, name="脚本", actor=None, now=now)
    victim_browser = app.test_client()
    assert login(victim_browser).status_code == 302
    boss = make_user(Role.OFFICE_ADMIN, "office", username="boss", password=PASSWORD)
    boss.must_change_password = False
    assert login(client, "boss").status_code == 302
    assert client.post(f"/admin/users/{clerk.id}/reset-password").status_code == 302
    assert victim_browser.get("/").status_code == 302
    assert live_sessions(clerk) == 0 and live_sessions(boss) == 1
    assert accounts.user_for_token(secret) is clerk


def test_the_password_page_shows_the_rules_the_service_publishes(app, client, clerk):
    from tracker.services import security

    login(client)
    rules = security.password_rules(security.SecurityPolicy.from_config(app.config))
    assert rules in client.get("/password").get_data(as_text=True)
