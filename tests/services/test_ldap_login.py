"""The login form with LDAP on, against a real slapd on loopback: the directory's password signs a person in and
links their account; a wrong one is refused and counted toward the one lockout; the local password still works for
the accounts outside the directory; a directory that cannot be reached says so and changes nothing."""
from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa
import time_machine
from flask import g
from tests import ldap_server as slapd

from tracker.extensions import db
from tracker.models import Event, LoginAttempt, Role, SignOnLink, User
from tracker.services.trust import ldap_login, security, two_factor
from tracker.services.trust.sign_on import SignOnPolicy

ZHANGSAN, LISI, WANGWU = slapd.PEOPLE
LOCAL_PASSWORD = "Correct-Horse-9"
START = "2024-03-04 09:00:00+08:00"


@pytest.fixture
def ldap_on(configure, ldap_server):
    """The app as a city starts it with TRACKER_SIGN_ON=ldap and its directory's settings."""
    def switch(server=ldap_server, **policy):
        configure(ldap=slapd.settings_for(server), sign_on=SignOnPolicy(sources=frozenset({"ldap"}), **policy))
    switch()
    return switch


@pytest.fixture
def zhangsan(make_user):
    """The person's account as the office opened it before sign-on: same login, a local password of its own."""
    return make_user(Role.UNIT_ADMIN, "sfj", username="zhangsan", password=LOCAL_PASSWORD)


def login(client, username: str, password: str, address: str = "10.0.0.9"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def links(user: User) -> list[tuple[str, str]]:
    return [(link.source, link.subject) for link in db.session.scalars(
        sa.select(SignOnLink).where(SignOnLink.user_id == user.id))]


def auth_events() -> list[str]:
    return list(db.session.scalars(sa.select(Event.action).where(Event.action.like("auth.%")).order_by(Event.id)))


def test_the_directory_password_signs_in_and_links_the_account(client, ldap_on, zhangsan):
    response = login(client, "zhangsan", ZHANGSAN.password)
    assert response.status_code == 302
    ((source, subject),) = links(zhangsan)
    assert source == "ldap" and len(subject) == 36  # the entry's entryUUID
    assert auth_events()[-1] == "auth.login"
    assert client.get("/").status_code == 200


def test_a_wrong_directory_password_is_refused_and_counts_toward_the_lockout(client, ldap_on, zhangsan):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            assert login(client, "zhangsan", "Wrong-Pass-1").status_code == 401
        locked = login(client, "zhangsan", ZHANGSAN.password)  # the right one, while locked
        assert locked.status_code == 401 and "已暂时锁定" in locked.get_data(as_text=True)
        clock.shift(timedelta(minutes=31))
        assert login(client, "zhangsan", ZHANGSAN.password).status_code == 302
    assert auth_events().count("auth.login_failed") == 5 and "auth.lockout" in auth_events()
    assert links(zhangsan) != []


def test_a_person_the_directory_does_not_know_is_refused_as_a_wrong_password_is(client, ldap_on):
    response = login(client, "nobody", ZHANGSAN.password)
    assert response.status_code == 401 and "登录名或密码不正确" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(LoginAttempt.succeeded).order_by(LoginAttempt.id.desc()).limit(1)) is False


def test_an_account_outside_the_directory_signs_in_with_its_local_password(client, ldap_on, make_user):
    office = make_user(Role.OFFICE_ADMIN, "office", username="office_local", password=LOCAL_PASSWORD)
    assert login(client, "office_local", LOCAL_PASSWORD).status_code == 302
    assert links(office) == []


@pytest.mark.parametrize("typed", ["*", "*)(uid=*", "zhangsan)(|(uid=*", "z*"])
def test_a_login_name_that_tries_to_widen_the_search_signs_nobody_in(client, ldap_on, zhangsan, typed):
    assert login(client, typed, ZHANGSAN.password).status_code == 401
    assert links(zhangsan) == []


def test_a_disabled_account_is_refused_with_the_right_directory_password_and_counted(client, ldap_on, zhangsan):
    zhangsan.is_enabled = False
    response = login(client, "zhangsan", ZHANGSAN.password)
    assert response.status_code == 401 and "账号已停用" in response.get_data(as_text=True)
    assert auth_events()[-1] == "auth.sign_on_refused" and links(zhangsan) == []
    assert db.session.scalar(sa.select(LoginAttempt.succeeded).order_by(LoginAttempt.id.desc()).limit(1)) is False


def test_an_unmatched_person_gets_a_member_account_only_when_the_office_allows(client, ldap_on, unit):
    refused = login(client, "wangwu", WANGWU.password)
    assert refused.status_code == 401 and "请联系单位管理员开通" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(User.id).where(User.username == "wangwu")) is None
    ldap_on(create_missing=True)
    assert login(client, "wangwu", WANGWU.password).status_code == 302
    user = db.session.scalars(sa.select(User).where(User.username == "wangwu")).one()
    assert (user.role, user.unit.key, user.email, user.job_number) == (Role.UNIT_MEMBER, "sfj", WANGWU.mail, "0043")


def test_a_role_without_local_passwords_signs_in_through_the_directory(client, ldap_on, make_user, configure):
    member = make_user(Role.UNIT_MEMBER, "gaj", username="lisi", password=LOCAL_PASSWORD)
    configure(security=security.SecurityPolicy(password_roles=frozenset({Role.OFFICE_ADMIN})))
    assert login(client, "lisi", LOCAL_PASSWORD).status_code == 401  # the local password is off for members
    client.post("/logout")
    assert login(client, "lisi", LISI.password).status_code == 302
    assert links(member) != []


def test_a_directory_that_cannot_be_reached_says_so_and_changes_nothing(client, ldap_on, zhangsan, make_user,
                                                                          configure, ldap_server):
    down = slapd.settings_for(ldap_server, url=f"ldap://127.0.0.1:{slapd.free_port()}", timeout_seconds=1)
    configure(ldap=down)
    users_before = db.session.scalar(sa.select(sa.func.count(User.id)))
    response = login(client, "zhangsan", ZHANGSAN.password)
    assert response.status_code == 401 and "目录暂时无法连接" in response.get_data(as_text=True)
    assert links(zhangsan) == [] and db.session.scalar(sa.select(sa.func.count(User.id))) == users_before
    make_user(Role.OFFICE_ADMIN, "office", username="office_local", password=LOCAL_PASSWORD)
    assert login(client, "office_local", LOCAL_PASSWORD).status_code == 302  # the local door stays open


def test_the_directory_is_asked_outside_any_database_transaction(client, ldap_on, zhangsan, monkeypatch):
    seen = []
    real = ldap_login.check_password

    def watched(*args, **kwargs):
        seen.append((db.session().in_transaction(), g.get("tracker_outside_transaction")))
        return real(*args, **kwargs)

    monkeypatch.setattr(ldap_login, "check_password", watched)
    assert login(client, "zhangsan", ZHANGSAN.password).status_code == 302
    assert seen == [(False, True)]  # no transaction open, and any query would have raised


def test_a_second_factor_is_still_asked_after_the_directory_password_and_no_local_password_change(
        client, ldap_on, zhangsan, now):
    secret = two_factor.new_secret()
    two_factor.confirm_enrolment(zhangsan, secret=secret, code=pyotp.TOTP(secret).at(now - timedelta(seconds=60)),
                                 now=now - timedelta(seconds=60))
    assert zhangsan.must_change_password  # the local password was never changed
    db.session.commit()
    with time_machine.travel(now, tick=False):
        response = login(client, "zhangsan", ZHANGSAN.password)
        assert response.headers["Location"].endswith("/login/code")
        assert client.get("/").status_code == 302  # a right password alone signs nobody in
        assert client.post("/login/code", data={"code": pyotp.TOTP(secret).at(now)}).status_code == 302
        assert client.get("/").status_code == 200  # not sent to change a password the directory keeps
