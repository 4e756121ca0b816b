"""Sign-on through the city's identity platform by OpenID Connect, against a real provider on loopback
(tests/oidc_provider.py): discovery, the code flow with PKCE, the ID token's signature, audience and nonce
checked, the account found, linked or opened by services/trust/sign_on.py, and the second factor still asked."""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pyotp
import pytest
import requests
import sqlalchemy as sa
from flask import Flask, g
from flask.testing import FlaskClient
from joserfc.jwk import RSAKey

from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, running_provider
from tracker.errors import SettingError
from tracker.extensions import db
from tracker.models import Event, Role, SignOnLink, Unit, User, UserSession
from tracker.services.trust import security, two_factor
from tracker.services.trust.oidc_claims import OidcSettings
from tracker.services.trust.sign_on import SignOnPolicy
from tracker.settings import Settings
from tracker.settings import settings as settings_of

CALLBACK = "http://localhost/login/oidc/callback"
PASSWORD = "Correct-Horse-9"


@pytest.fixture(scope="module")
def platform() -> Iterator[Provider]:
    with running_provider({CALLBACK}) as provider:
        yield provider


@pytest.fixture
def provider(platform: Provider) -> Iterator[Provider]:
    platform.reset()
    yield platform
    platform.reset()


@pytest.fixture
def oidc_on(app: Flask, configure: Callable[..., None], provider: Provider) -> Callable[..., None]:
    """The app as started with TRACKER_SIGN_ON=oidc against the loopback provider; call it to change the match
    or allow accounts to be opened."""
    def turn_on(match: str = "login", create_missing: bool = False, **security_changes: object) -> None:
        configure(sign_on=SignOnPolicy(sources=frozenset({"oidc"}), match=match, create_missing=create_missing),
                  oidc=OidcSettings(issuer=provider.issuer, discovery_url=f"{provider.issuer}/.well-known/"
                                    "openid-configuration", client_id=CLIENT_ID, client_secret=CLIENT_SECRET),
                  security=dataclasses.replace(settings_of(app).security, **security_changes))
    turn_on()
    return turn_on


def sign_on_through(client: FlaskClient, provider: Provider, **person: object) -> tuple[FlaskClient, str]:
    """Click the button, let the platform vouch for `person`, come back: the callback's URL (to replay it)."""
    provider.person = {"sub": "sub-1", "name": "王晓", **person}
    started = client.get("/login/oidc")
    assert started.status_code == 302 and started.headers["Location"].startswith(f"{provider.issuer}/authorize")
    answered = requests.get(started.headers["Location"], allow_redirects=False, timeout=10)
    assert answered.status_code == 302, answered.text
    back = answered.headers["Location"]
    assert back.startswith(CALLBACK)
    return client, back


def come_back(client: FlaskClient, back: str):
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")


def signed_on(client: FlaskClient, provider: Provider, **person: object):
    client, back = sign_on_through(client, provider, **person)
    return come_back(client, back)


def actions(action: str) -> list[Event]:
    return list(db.session.scalars(sa.select(Event).where(Event.action == action).order_by(Event.id)))


def board_user(client: FlaskClient) -> str:
    response = client.get("/board")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def member(make_user: Callable[..., User], name: str, role: Role = Role.UNIT_MEMBER, unit_key: str = "sfj",
           **fields: object) -> User:
    user = make_user(role, unit_key, username=name, password=PASSWORD)
    user.must_change_password = False
    for key, value in fields.items():
        setattr(user, key, value)
    db.session.commit()
    return user


def test_the_login_page_offers_the_platform_only_when_oidc_is_on(client, configure, oidc_on):
    assert "统一身份认证登录" in client.get("/login").get_data(as_text=True)
    configure(sign_on=SignOnPolicy(), oidc=None)
    assert "统一身份认证登录" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/oidc").status_code == 404
    assert client.get("/login/oidc/callback?code=x&state=y").status_code == 404


def test_the_start_asks_for_a_code_with_pkce_state_and_nonce(client, provider, oidc_on):
    location = client.get("/login/oidc").headers["Location"]
    asked = dict(part.split("=", 1) for part in urlsplit(location).query.split("&"))
    assert asked["response_type"] == "code" and asked["code_challenge_method"] == "S256"
    assert asked["client_id"] == CLIENT_ID and len(asked["code_challenge"]) >= 43
    assert asked["state"] and asked["nonce"] and "openid" in asked["scope"]


def test_a_first_sign_on_links_the_account_by_login_name_and_the_second_finds_it_by_the_link(
        app, client, provider, oidc_on, make_user):
    clerk = member(make_user, "wangxiao")
    response = signed_on(client, provider, preferred_username="wangxiao")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "wangxiao" in board_user(client)
    link = db.session.scalars(sa.select(SignOnLink).where(SignOnLink.user_id == clerk.id)).one()
    assert (link.source, link.subject) == ("oidc", "sub-1")
    assert [e.entity_id for e in actions("user.sign_on_link")] == [clerk.id]
    assert [e.entity_id for e in actions("auth.sign_on")] == [clerk.id]
    assert db.session.scalars(sa.select(UserSession).where(UserSession.user_id == clerk.id)).first() is not None

    client.post("/logout")
    response = signed_on(client, provider, preferred_username="somebody-renamed")  # the link, not the name
    assert response.status_code == 302 and "wangxiao" in board_user(client)
    assert len(actions("user.sign_on_link")) == 1 and len(actions("auth.sign_on")) == 2


def test_the_page_asked_for_before_signing_on_is_where_the_sign_on_ends(client, provider, oidc_on, make_user):
    member(make_user, "wangxiao")
    provider.person = {"sub": "sub-1", "preferred_username": "wangxiao"}
    started = client.get("/login/oidc?next=/board")
    back = requests.get(started.headers["Location"], allow_redirects=False, timeout=10).headers["Location"]
    assert come_back(client, back).headers["Location"] == "/board"


def test_a_first_sign_on_matches_by_mail_when_so_configured(client, provider, oidc_on, make_user):
    oidc_on(match="mail")
    clerk = member(make_user, "clerk-by-mail", email="Wang.Xiao@sfj.gov.example")
    assert signed_on(client, provider, email="wang.xiao@sfj.gov.example").status_code == 302
    assert db.session.scalars(sa.select(SignOnLink.user_id)).all() == [clerk.id]


def test_a_mail_the_platform_has_not_verified_matches_nobody(client, provider, oidc_on, make_user):
    oidc_on(match="mail")
    member(make_user, "clerk-by-mail", email="wang.xiao@sfj.gov.example")
    response = signed_on(client, provider, email="wang.xiao@sfj.gov.example", email_verified=False)
    assert response.status_code == 401 and "本系统中没有与您对应的账号" in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(SignOnLink)).all() == []


def test_a_first_sign_on_matches_by_the_units_credit_code_and_the_job_number(client, provider, oidc_on, make_user,
                                                                               unit):
    oidc_on(match="credit_code+job_number")
    unit("sfj").credit_code = "11310000MB0000001X"
    clerk = member(make_user, "clerk-by-number", job_number="00731")
    response = signed_on(client, provider, credit_code="11310000MB0000001X", job_number="00731")
    assert response.status_code == 302
    assert db.session.scalars(sa.select(SignOnLink.user_id)).all() == [clerk.id]


def test_an_unknown_person_gets_a_member_account_in_their_unit_when_the_office_allows_it(client, provider, oidc_on):
    oidc_on(create_missing=True)
    response = signed_on(client, provider, preferred_username="newcomer", unit="sfj", name="新同事",
                         email="new@sfj.gov.example")
    assert response.status_code == 302
    user = db.session.scalars(sa.select(User).where(User.username == "newcomer")).one()
    assert user.role == Role.UNIT_MEMBER and user.display_name == "新同事"
    assert db.session.get(Unit, user.unit_id).key == "sfj" and not user.must_change_password
    assert "新同事" in board_user(client)


def test_an_unknown_person_is_turned_away_in_chinese_when_the_office_does_not_allow_accounts_to_be_opened(
        client, provider, oidc_on):
    response = signed_on(client, provider, preferred_username="stranger", unit="sfj")
    page = response.get_data(as_text=True)
    assert response.status_code == 401 and "本系统中没有与您对应的账号,请联系单位管理员开通" in page
    assert "统一身份认证登录" in page  # the login page again, to try once more
    assert db.session.scalars(sa.select(User).where(User.username == "stranger")).first() is None
    (refused,) = actions("auth.sign_on_refused")
    assert refused.actor_label == "stranger" and refused.after["reason"] == "sign_on_no_account"
    assert client.get("/board").status_code == 302


def test_a_disabled_account_stays_out_whatever_the_platform_says(client, provider, oidc_on, make_user):
    member(make_user, "wangxiao", is_enabled=False)
    response = signed_on(client, provider, preferred_username="wangxiao")
    assert response.status_code == 401 and "账号已停用" in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(SignOnLink)).all() == []
    assert actions("auth.sign_on_refused")[-1].after["reason"] == "account_disabled"


def test_a_token_for_another_audience_is_refused(client, provider, oidc_on, make_user):
    member(make_user, "wangxiao")
    provider.audience = "another-system"
    response = signed_on(client, provider, preferred_username="wangxiao")
    assert response.status_code == 401 and "统一身份认证平台的应答未通过校验" in response.get_data(as_text=True)
    assert actions("auth.sign_on_refused")[-1].after["reason"] == "id_token:invalid_claim"
    assert db.session.scalars(sa.select(SignOnLink)).all() == [] and actions("auth.sign_on") == []


def test_a_token_signed_with_a_key_the_platform_never_published_is_refused(client, provider, oidc_on, make_user):
    member(make_user, "wangxiao")
    provider.sign_with = RSAKey.generate_key(2048, parameters={"kid": "city-1"})
    response = signed_on(client, provider, preferred_username="wangxiao")
    assert response.status_code == 401 and "统一身份认证平台的应答未通过校验" in response.get_data(as_text=True)
    assert actions("auth.sign_on_refused")[-1].after["reason"] == "id_token:bad_signature"
    assert actions("auth.sign_on") == []


def test_a_token_with_another_sign_ons_nonce_is_refused(client, provider, oidc_on, make_user):
    member(make_user, "wangxiao")
    provider.nonce = "a-nonce-from-another-sign-on"
    response = signed_on(client, provider, preferred_username="wangxiao")
    assert response.status_code == 401
    assert actions("auth.sign_on_refused")[-1].after["reason"] == "id_token:invalid_claim"
    assert actions("auth.sign_on") == []


def test_a_callback_used_twice_is_refused_the_second_time(client, provider, oidc_on, make_user):
    member(make_user, "wangxiao")
    client, back = sign_on_through(client, provider, preferred_username="wangxiao")
    with client.session_transaction() as kept:
        before = dict(kept)
    assert come_back(client, back).status_code == 302
    client.post("/logout")
    response = come_back(client, back)  # the same state again, in this browser
    assert response.status_code == 401 and "登录请求已失效或已被使用" in response.get_data(as_text=True)
    assert actions("auth.sign_on_refused")[-1].after["reason"] == "mismatching_state"
    with client.session_transaction() as replayed:  # a copy of the cookie from before: the code is spent
        replayed.clear()
        replayed.update(before)
    response = come_back(client, back)
    assert response.status_code == 401 and actions("auth.sign_on_refused")[-1].after["reason"] == "invalid_grant"
    assert len(actions("auth.sign_on")) == 1


def test_a_callback_without_a_sign_on_begun_here_is_refused(client, provider, oidc_on):
    response = client.get("/login/oidc/callback?code=forged&state=forged")
    assert response.status_code == 401 and actions("auth.sign_on_refused")[-1].after["reason"] == "mismatching_state"
    assert provider.token_requests == 0  # no code was exchanged for a state this browser never had


def test_a_platform_that_says_no_is_said_so_without_repeating_what_a_link_may_carry(client, provider, oidc_on):
    client.get("/login/oidc")
    response = client.get("/login/oidc/callback?error=access_denied&state=x")
    assert response.status_code == 401 and "统一身份认证平台未确认您的身份" in response.get_data(as_text=True)
    response = client.get("/login/oidc/callback?error=请拨打电话&error_description=请拨打电话&state=x")
    said = re.search(r'<p class="error" role="alert">([^<]*)</p>', response.get_data(as_text=True)).group(1)
    assert response.status_code == 401 and "请拨打电话" not in said and "invalid_response" in said
    assert [e.after["reason"] for e in actions("auth.sign_on_refused")][-2:] == ["access_denied", "请拨打电话"]


def test_a_platform_that_cannot_be_reached_is_said_so(client, configure, oidc_on, app):
    configure(oidc=OidcSettings(issuer="http://127.0.0.1:9", discovery_url="http://127.0.0.1:9/.well-known/"
                                "openid-configuration", client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                                timeout_seconds=2))
    response = client.get("/login/oidc")
    assert response.status_code == 401 and "无法访问统一身份认证平台" in response.get_data(as_text=True)
    assert actions("auth.sign_on_refused")[-1].after["reason"] == "platform_unreachable"


def test_a_role_whose_passwords_are_off_still_signs_on_through_the_platform(client, provider, oidc_on, make_user):
    oidc_on(password_roles=frozenset({Role.OFFICE_ADMIN}))
    member(make_user, "wangxiao")
    refused = client.post("/login", data={"username": "wangxiao", "password": PASSWORD})
    assert refused.status_code == 401
    assert signed_on(client, provider, preferred_username="wangxiao").status_code == 302
    assert "wangxiao" in board_user(client)


def test_an_account_with_a_second_factor_still_gives_its_code_after_the_platform(client, provider, oidc_on,
                                                                                  make_user, now):
    clerk = member(make_user, "wangxiao")
    secret = two_factor.new_secret()
    two_factor.confirm_enrolment(clerk, secret=secret, code=pyotp.TOTP(secret).at(now), now=now)
    db.session.commit()
    response = signed_on(client, provider, preferred_username="wangxiao")
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    assert client.get("/board").status_code == 302  # not signed in yet
    assert [e.entity_id for e in actions("auth.sign_on_code_owed")] == [clerk.id] and actions("auth.sign_on") == []
    assert client.post("/login/code", data={"code": "000000"}).status_code == 401
    assert client.post("/login/code", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert "wangxiao" in board_user(client)


def test_a_role_that_must_use_a_second_factor_enrols_first_after_the_platform(client, provider, oidc_on, make_user):
    oidc_on(two_factor_roles=security.parse_roles("unit_member"))
    member(make_user, "wangxiao")
    assert signed_on(client, provider, preferred_username="wangxiao").status_code == 302
    response = client.get("/board")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-factor")


def test_every_call_to_the_platform_is_made_outside_the_requests_transaction(app, client, provider, oidc_on,
                                                                             make_user, monkeypatch):
    """database.outside_transaction ends the request's transaction first and refuses any query inside."""
    monkeypatch.setitem(app.extensions, "tracker_oidc_clients", {})  # metadata and keys fetched afresh
    calls: list[tuple[str, bool]] = []
    send = requests.Session.send

    def watched(session, prepared, **kwargs):
        if "Authlib" in prepared.headers.get("User-Agent", ""):  # the tracker, not the test playing the browser
            calls.append((urlsplit(prepared.url).path, g.get("tracker_outside_transaction", False)))
        return send(session, prepared, **kwargs)

    monkeypatch.setattr(requests.Session, "send", watched)
    member(make_user, "wangxiao")
    assert signed_on(client, provider, preferred_username="wangxiao").status_code == 302
    assert {path for path, _outside in calls} == {"/.well-known/openid-configuration", "/token", "/jwks"}
    assert all(outside for _path, outside in calls), calls


@pytest.mark.parametrize(("name", "value"), [
    ("TRACKER_OIDC_ISSUER", ""), ("TRACKER_OIDC_ISSUER", "http://idp.example.gov"),
    ("TRACKER_OIDC_CLIENT_ID", ""), ("TRACKER_OIDC_CLIENT_SECRET", ""), ("TRACKER_OIDC_SCOPES", "profile"),
    ("TRACKER_OIDC_CLAIMS", '{"badge": "employee_no"}'), ("TRACKER_OIDC_CLAIMS", "[1]"),
    ("TRACKER_OIDC_TOKEN_AUTH", "private_key_jwt"), ("TRACKER_OIDC_TIMEOUT_SECONDS", 0),
])
def test_a_bad_or_missing_oidc_setting_stops_the_start_and_names_it(app, name, value):
    config = {**app.config, "TRACKER_SIGN_ON": "oidc", "TRACKER_OIDC_ISSUER": "https://idp.example.gov",
              "TRACKER_OIDC_CLIENT_ID": "plan-tracker", "TRACKER_OIDC_CLIENT_SECRET": "s3cret", name: value}
    with pytest.raises(SettingError) as refused:
        Settings.from_config(config)
    assert f"设置 {name} 有误" in refused.value.message_zh


def test_oidc_settings_are_read_only_when_oidc_is_on(app):
    assert Settings.from_config({**app.config, "TRACKER_OIDC_ISSUER": "nonsense"}).oidc is None
    found = Settings.from_config({**app.config, "TRACKER_SIGN_ON": "oidc", "TRACKER_OIDC_ISSUER":
                                  "https://idp.example.gov/", "TRACKER_OIDC_CLIENT_ID": "plan-tracker",
                                  "TRACKER_OIDC_CLIENT_SECRET": "s3cret",
                                  "TRACKER_OIDC_CLAIMS": '{"job_number": "employee_no"}'}).oidc
    assert found is not None and found.issuer == "https://idp.example.gov"
    assert found.discovery_url == "https://idp.example.gov/.well-known/openid-configuration"
    assert found.claim("job_number") == "employee_no" and found.claim("mail") == "email"
