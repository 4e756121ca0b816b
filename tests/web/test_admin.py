"""The office administers accounts; nobody else can."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Event, Role
from tracker.services.trust import accounts

PASSWORD = "Correct-Horse-9"


def logged_in(client, make_user, role: Role, unit_key: str, name: str):
    user = make_user(role, unit_key, username=name, password=PASSWORD)
    user.must_change_password = False
    client.post("/login", data={"username": name, "password": PASSWORD})
    return user


def test_office_disables_an_account_and_its_tokens_stop_at_once(client, make_user, now):
    logged_in(client, make_user, Role.OFFICE_ADMIN, "office", "boss")
    target = make_user(Role.UNIT_ADMIN, "sfj", username="leaver")
    _token, secret = accounts.create_token(target, name="脚本", actor=None, now=now)
    response = client.post(f"/admin/users/{target.id}/disable")
    assert response.status_code == 302
    assert not target.is_enabled
    assert accounts.user_for_token(secret) is None
    assert db.session.execute(sa.select(Event).where(Event.action == "user.disable",
                                                      Event.entity_id == target.id)).scalar_one()
    assert client.post(f"/admin/users/{target.id}/enable").status_code == 302 and target.is_enabled


def test_office_resets_a_password_which_is_shown_once_and_must_be_changed(client, make_user, app):
    logged_in(client, make_user, Role.OFFICE_ADMIN, "office", "boss")
    target = make_user(Role.UNIT_MEMBER, "sfj", username="forgetful")
    target.must_change_password = False
    client.post(f"/admin/users/{target.id}/reset-password")
    page = client.get("/admin/users").get_data(as_text=True)
    new_password = page.split("首次登录须修改):", 1)[1].split("<", 1)[0].strip()
    assert accounts.check_password(target, new_password, app.extensions["password_hasher"])
    assert target.must_change_password
    assert new_password not in client.get("/admin/users").get_data(as_text=True)


def test_office_cannot_disable_itself(client, make_user):
    boss = logged_in(client, make_user, Role.OFFICE_ADMIN, "office", "boss")
    assert client.post(f"/admin/users/{boss.id}/disable").status_code == 422
    assert boss.is_enabled


@pytest.mark.parametrize(("role", "unit_key"), [(Role.LEADER, "city"), (Role.UNIT_ADMIN, "sfj"),
                                                (Role.UNIT_MEMBER, "sfj")])
def test_only_the_office_administers_accounts_and_user_ids_cannot_be_probed(client, make_user, app, role,
                                                                           unit_key):
    """Whoever may not administer accounts hears "not found" for an account that exists and for one that does
    not, as for every object they may not see (issue 19: 403 for an existing id, 404 for a missing one)."""
    logged_in(client, make_user, role, unit_key, "someone")
    target = make_user(Role.UNIT_MEMBER, "sfj", username="victim")
    missing = target.id + 1000
    assert client.get("/admin/users").status_code == 403
    for user_id in (target.id, missing):
        assert client.post(f"/admin/users/{user_id}/disable").status_code == 404
        assert client.post(f"/admin/users/{user_id}/enable").status_code == 404
        assert client.post(f"/admin/users/{user_id}/reset-password").status_code == 404
    assert target.is_enabled
    assert accounts.check_password(target, PASSWORD, app.extensions["password_hasher"])
