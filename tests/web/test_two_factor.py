"""Two factors for the office and leaders (等保 level 3): enrolment with a QR code drawn on the server, a TOTP code
after the password, recovery codes, lockout as for passwords, and the office's audited reset."""
from __future__ import annotations

import dataclasses
import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa
import time_machine

from tracker.extensions import db
from tracker.models import Event, LoginAttempt, Role
from tracker.services.trust import security, two_factor
from tracker.settings import settings as settings_of

PASSWORD = "Correct-Horse-9"


@pytest.fixture
def required(app, configure):
    """The shipped default: the office and leaders sign in with two factors."""
    policy = dataclasses.replace(settings_of(app).security,
                                 two_factor_roles=security.parse_roles("office_admin,leader"))
    configure(security=policy)


def account(make_user, role: Role, unit_key: str, name: str):
    user = make_user(role, unit_key, username=name, password=PASSWORD)
    user.must_change_password = False
    return user


def enrolled(make_user, now, role=Role.OFFICE_ADMIN, unit_key="office", name="boss"):
    user = account(make_user, role, unit_key, name)
    secret = two_factor.new_secret()
    codes = two_factor.confirm_enrolment(user, secret=secret, code=pyotp.TOTP(secret).at(now - timedelta(seconds=60)),
                                         now=now - timedelta(seconds=60))
    db.session.commit()
    return user, secret, codes


def actions(user_id=None) -> list[str]:
    query = sa.select(Event.action).order_by(Event.id)
    return list(db.session.scalars(query.where(Event.entity_id == user_id) if user_id else query))


def test_an_office_account_must_enrol_before_anything_else_and_the_qr_is_drawn_on_the_server(client, make_user,
                                                                                              required, now):
    boss = account(make_user, Role.OFFICE_ADMIN, "office", "boss")
    with time_machine.travel(now, tick=False):
        assert client.post("/login", data={"username": "boss", "password": PASSWORD}).status_code == 302
        response = client.get("/board")
        assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-factor")
        page = client.get("/account/two-factor").get_data(as_text=True)
        assert "<svg" in page and "http" not in page.split("<svg", 1)[1].split("</svg>", 1)[0].replace(
            "http://www.w3.org", "")
        secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)
        wrong = client.post("/account/two-factor", data={"code": "000000"})
        assert wrong.status_code == 422 and not two_factor.is_enrolled(boss)
        done = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).at(now)})
        codes = re.findall(r"<code>([0-9a-f]{8}-[0-9a-f]{8})</code>", done.get_data(as_text=True))
        assert client.get("/board").status_code == 200
    assert len(codes) == two_factor.RECOVERY_CODES
    assert two_factor.is_enrolled(boss) and boss.totp_secret == secret
    assert "user.two_factor_on" in actions(boss.id)


def test_a_unit_is_offered_two_factors_but_not_made_to(client, make_user, required, now):
    account(make_user, Role.UNIT_ADMIN, "sfj", "clerk")
    client.post("/login", data={"username": "clerk", "password": PASSWORD})
    assert client.get("/board").status_code == 200
    assert "<svg" in client.get("/account/two-factor").get_data(as_text=True)


def test_an_enrolled_account_is_not_signed_in_until_its_code_is_right(client, make_user, now):
    boss, secret, _codes = enrolled(make_user, now)
    with time_machine.travel(now, tick=False):
        response = client.post("/login", data={"username": "boss", "password": PASSWORD})
        assert response.headers["Location"].endswith("/login/code")
        assert client.get("/board").status_code == 302, "a right password alone signs nobody in"
        assert client.post("/login/code", data={"code": "123456"}).status_code == 401
        assert client.post("/login/code", data={"code": pyotp.TOTP(secret).at(now)}).status_code == 302
        assert client.get("/board").status_code == 200
    assert actions(boss.id)[-2:] == ["auth.password_ok", "auth.login"]


def test_a_code_is_taken_once(client, make_user, app, now):
    boss, secret, _codes = enrolled(make_user, now)
    code = pyotp.TOTP(secret).at(now)
    with time_machine.travel(now, tick=False):
        client.post("/login", data={"username": "boss", "password": PASSWORD})
        assert client.post("/login/code", data={"code": code}).status_code == 302
        other = app.test_client()
        other.post("/login", data={"username": "boss", "password": PASSWORD})
        assert other.post("/login/code", data={"code": code}).status_code == 401, "a code seen once is spent"


def test_a_recovery_code_signs_in_once(client, make_user, app, now):
    _boss, _secret, codes = enrolled(make_user, now)
    for expected in (302, 401):
        fresh = app.test_client()
        fresh.post("/login", data={"username": "boss", "password": PASSWORD})
        assert fresh.post("/login/code", data={"code": codes[0]}).status_code == expected
    assert two_factor.recovery_codes_left(_boss) == two_factor.RECOVERY_CODES - 1


def test_wrong_codes_lock_the_account_as_wrong_passwords_do(client, make_user, app, now):
    boss, secret, _codes = enrolled(make_user, now)
    limit = settings_of(app).security.max_failures
    with time_machine.travel(now, tick=False):
        client.post("/login", data={"username": "boss", "password": PASSWORD})
        for _ in range(limit):
            response = client.post("/login/code", data={"code": "000000"})
        assert response.status_code == 401 and "锁定" in response.get_data(as_text=True)
        fresh = app.test_client()
        assert fresh.post("/login", data={"username": "boss", "password": PASSWORD}).status_code == 401
    failures = db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt).where(
        LoginAttempt.username == "boss", LoginAttempt.succeeded.is_(False)))
    assert failures == limit
    assert actions().count("auth.code_failed") == limit


def test_a_pending_password_expires_after_five_minutes(client, make_user, now):
    _boss, secret, _codes = enrolled(make_user, now)
    with time_machine.travel(now, tick=False):
        client.post("/login", data={"username": "boss", "password": PASSWORD})
    later = now + timedelta(minutes=6)
    with time_machine.travel(later, tick=False):
        response = client.post("/login/code", data={"code": pyotp.TOTP(secret).at(later)})
        assert response.status_code == 302 and response.headers["Location"].endswith("/login")
        assert client.get("/board").status_code == 302


def test_the_code_page_without_a_password_first_sends_back_to_login(client):
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_the_office_resets_a_lost_authenticator_audited_and_the_account_enrols_again(client, make_user, app,
                                                                                   required, now):
    leader, _secret, _codes = enrolled(make_user, now, Role.LEADER, "city", "mayor")
    account(make_user, Role.OFFICE_ADMIN, "office", "second")
    second = db.session.scalar(sa.select(security.User).where(security.User.username == "second"))
    office_secret = two_factor.new_secret()
    two_factor.confirm_enrolment(second, secret=office_secret, code=pyotp.TOTP(office_secret).at(now), now=now)
    db.session.commit()
    with time_machine.travel(now + timedelta(seconds=90), tick=False):
        client.post("/login", data={"username": "second", "password": PASSWORD})
        client.post("/login/code", data={"code": pyotp.TOTP(office_secret).at(now + timedelta(seconds=90))})
        assert client.post(f"/admin/users/{leader.id}/reset-two-factor").status_code == 303
        assert client.post(f"/admin/users/{second.id}/reset-two-factor").status_code == 403
    assert not two_factor.is_enrolled(leader) and two_factor.is_enrolled(second)
    (reset,) = db.session.scalars(sa.select(Event).where(Event.action == "user.reset_two_factor"))
    assert (reset.entity_id, reset.actor_label) == (leader.id, "second")
    fresh = app.test_client()
    assert fresh.post("/login", data={"username": "mayor", "password": PASSWORD}).headers["Location"] == "/"
    assert fresh.get("/board").headers["Location"].endswith("/account/two-factor")


@pytest.mark.parametrize("role", [Role.UNIT_ADMIN, Role.LEADER])
def test_only_the_office_resets_two_factors(client, make_user, now, role):
    victim, _secret, _codes = enrolled(make_user, now, Role.UNIT_MEMBER, "sfj", "victim")
    account(make_user, role, "sfj" if role == Role.UNIT_ADMIN else "city", "someone")
    client.post("/login", data={"username": "someone", "password": PASSWORD})
    assert client.post(f"/admin/users/{victim.id}/reset-two-factor").status_code in (403, 404)
    assert two_factor.is_enrolled(victim)


def test_an_unknown_role_in_the_setting_stops_the_start(app):
    with pytest.raises(ValueError, match="TRACKER_TWO_FACTOR_ROLES"):
        security.parse_roles("office_admin,king")
    assert security.parse_roles("none") == frozenset()
