"""Sign-on through the city's identity platform: a vouched-for person is found by the link a first sign-on made,
else matched once by the configured key, else (when the office allows it) given a member account in the unit the
directory names; a disabled account stays disabled, and roles the city switched off sign in with no password."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tracker.errors import SettingError
from tracker.extensions import db
from tracker.models import Event, Role, SignOnLink, User
from tracker.services.trust import security
from tracker.services.trust.sign_on import DirectoryPerson, SignOnPolicy, SignOnRefused, account_for
from tracker.settings import Settings

POLICY = SignOnPolicy(sources=frozenset({"oidc", "ldap"}))


def person(**facts) -> DirectoryPerson:
    return DirectoryPerson(**{"source": "oidc", "subject": "sub-1", "display_name": "张三", **facts})


@pytest.fixture
def hasher(app):
    return app.extensions["password_hasher"]


def links(user: User) -> list[SignOnLink]:
    return list(db.session.scalars(sa.select(SignOnLink).where(SignOnLink.user_id == user.id)))


def test_a_first_sign_on_links_the_account_with_the_same_login_and_is_audited(make_user, hasher, now):
    user = make_user(Role.UNIT_MEMBER, "sfj", username="zhangsan")
    assert account_for(person(login="zhangsan"), policy=POLICY, hasher=hasher, now=now) is user
    assert [(link.source, link.subject) for link in links(user)] == [("oidc", "sub-1")]
    assert db.session.scalars(sa.select(Event.action).where(Event.entity_type == "user", Event.entity_id == user.id)).all()[-1] == \
        "user.sign_on_link"


def test_a_later_sign_on_finds_the_account_by_its_link_even_after_the_directory_renames_the_person(
        make_user, hasher, now):
    user = make_user(Role.UNIT_MEMBER, "sfj", username="zhangsan")
    account_for(person(login="zhangsan"), policy=POLICY, hasher=hasher, now=now)
    assert account_for(person(login="zhangsan2"), policy=POLICY, hasher=hasher, now=now) is user


def test_matching_by_mail_ignores_case(make_user, hasher, now):
    user = make_user(Role.UNIT_MEMBER, "sfj", username="zs")
    user.email = "ZhangSan@sfj.gov.cn"
    found = account_for(person(mail="zhangsan@sfj.gov.cn"), policy=SignOnPolicy(sources=POLICY.sources, match="mail"),
                        hasher=hasher, now=now)
    assert found is user


def test_matching_by_the_units_credit_code_and_job_number(make_user, unit, hasher, now):
    user = make_user(Role.UNIT_ADMIN, "sfj", username="wang")
    unit("sfj").credit_code, user.job_number = "11330100002482152X", "0042"
    policy = SignOnPolicy(sources=POLICY.sources, match="credit_code+job_number")
    assert account_for(person(credit_code="11330100002482152X", job_number="0042"), policy=policy, hasher=hasher,
                       now=now) is user


def test_two_accounts_sharing_a_mail_are_refused_rather_than_guessed(make_user, hasher, now):
    for name in ("a1", "a2"):
        make_user(Role.UNIT_MEMBER, "sfj", username=name).email = "same@sfj.gov.cn"
    with pytest.raises(SignOnRefused, match="多个账号"):
        account_for(person(mail="same@sfj.gov.cn"), policy=SignOnPolicy(sources=POLICY.sources, match="mail"),
                    hasher=hasher, now=now)


def test_an_unmatched_person_is_refused_unless_the_office_allows_new_accounts(hasher, now):
    with pytest.raises(SignOnRefused, match="请联系单位管理员开通"):
        account_for(person(login="nobody", unit_key="sfj"), policy=POLICY, hasher=hasher, now=now)
    assert db.session.scalar(sa.select(User.id).where(User.username == "nobody")) is None


def test_an_allowed_new_person_gets_a_member_account_in_the_directory_unit_and_nothing_more(unit, hasher, now):
    unit("sfj").credit_code = "11330100002482152X"
    policy = SignOnPolicy(sources=POLICY.sources, create_missing=True)
    user = account_for(person(login="newcomer", mail="n@sfj.gov.cn", credit_code="11330100002482152X",
                              job_number="7"), policy=policy, hasher=hasher, now=now)
    assert (user.role, user.unit.key, user.email, user.job_number) == (Role.UNIT_MEMBER, "sfj", "n@sfj.gov.cn", "7")
    assert not user.must_change_password
    actions = db.session.scalars(sa.select(Event.action).where(Event.entity_type == "user", Event.entity_id == user.id)).all()
    assert actions == ["user.create", "user.sign_on_link"]


def test_a_new_person_from_a_unit_the_tracker_does_not_know_is_refused_naming_it(hasher, now):
    policy = SignOnPolicy(sources=POLICY.sources, create_missing=True)
    with pytest.raises(SignOnRefused, match="“nowhere”在本系统中找不到"):
        account_for(person(login="x", unit_key="nowhere"), policy=policy, hasher=hasher, now=now)


def test_a_disabled_account_stays_disabled_whatever_the_platform_says(make_user, hasher, now):
    user = make_user(Role.UNIT_MEMBER, "sfj", username="leaver")
    account_for(person(login="leaver"), policy=POLICY, hasher=hasher, now=now)
    user.is_enabled = False
    with pytest.raises(SignOnRefused, match="已停用"):
        account_for(person(login="leaver"), policy=POLICY, hasher=hasher, now=now)


def test_an_account_already_linked_to_another_person_of_the_source_is_not_taken_over(make_user, hasher, now):
    make_user(Role.UNIT_MEMBER, "sfj", username="shared")
    account_for(person(login="shared", subject="first"), policy=POLICY, hasher=hasher, now=now)
    with pytest.raises(SignOnRefused, match="另一人"):
        account_for(person(login="shared", subject="second"), policy=POLICY, hasher=hasher, now=now)


def test_a_source_the_city_did_not_switch_on_is_refused(make_user, hasher, now):
    make_user(Role.UNIT_MEMBER, "sfj", username="zhangsan")
    with pytest.raises(SignOnRefused, match="未启用"):
        account_for(person(login="zhangsan", source="ldap"), policy=SignOnPolicy(sources=frozenset({"oidc"})),
                    hasher=hasher, now=now)


def test_a_role_with_passwords_switched_off_is_told_to_sign_on_only_after_a_right_password(make_user, hasher, now):
    make_user(Role.UNIT_MEMBER, "sfj", username="member", password="Correct-Horse-9")
    policy = security.SecurityPolicy(password_roles=frozenset({Role.OFFICE_ADMIN}))
    wrong = security.attempt_login("member", "wrong", address="10.0.0.1", hasher=hasher, policy=policy, now=now)
    right = security.attempt_login("member", "Correct-Horse-9", address="10.0.0.1", hasher=hasher, policy=policy,
                                   now=now)
    assert (wrong.user, wrong.password_off) == (None, False)
    assert (right.user, right.password_off) == (None, True)


def test_the_login_page_says_to_use_the_platform_when_passwords_are_off(client, make_user, configure, app):
    make_user(Role.UNIT_MEMBER, "sfj", username="member", password="Correct-Horse-9")
    configure(security=security.SecurityPolicy(password_roles=frozenset({Role.OFFICE_ADMIN})))
    response = client.post("/login", data={"username": "member", "password": "Correct-Horse-9"})
    assert response.status_code == 401 and "统一身份认证" in response.get_data(as_text=True)


@pytest.mark.parametrize(("key", "value", "named"), [
    ("TRACKER_SIGN_ON", "saml", "TRACKER_SIGN_ON"),
    ("TRACKER_SIGN_ON_MATCH", "phone", "TRACKER_SIGN_ON_MATCH"),
    ("TRACKER_PASSWORD_ROLES", "office_admin,boss", "TRACKER_PASSWORD_ROLES"),
])
def test_a_bad_sign_on_setting_stops_the_start_naming_it(app, key, value, named):
    with pytest.raises(SettingError, match=named):
        Settings.from_config({**app.config, key: value})


def test_sign_on_settings_are_read_once(app):
    needed = {"TRACKER_OIDC_ISSUER": "https://idp.example.gov", "TRACKER_OIDC_CLIENT_ID": "plan-tracker",
              "TRACKER_OIDC_CLIENT_SECRET": "s3cret",  # what oidc needs to start (tests/web/test_oidc.py)
              # and ldap its directory (tests/services/test_ldap_directory.py)
              "TRACKER_LDAP_URL": "ldap://127.0.0.1:389", "TRACKER_LDAP_PEOPLE_BASE": "ou=people,dc=city,dc=example"}
    read = Settings.from_config({**app.config, **needed, "TRACKER_SIGN_ON": "oidc, ldap",
                                 "TRACKER_SIGN_ON_MATCH": "mail",
                                 "TRACKER_SIGN_ON_CREATE": True, "TRACKER_PASSWORD_ROLES": "office_admin"})
    assert read.sign_on == SignOnPolicy(sources=frozenset({"oidc", "ldap"}), match="mail", create_missing=True)
    assert read.security.password_roles == frozenset({Role.OFFICE_ADMIN})
