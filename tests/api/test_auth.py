"""Bearer tokens only: no session cookie is read or set under /api, and the API is exempt from CSRF."""
from __future__ import annotations

from collections.abc import Callable

from tests.api.api_helpers import NOW, ApiClient, assert_error
from flask import Flask

from tracker.extensions import db
from tracker.models import Role, User
from tracker.services.trust import accounts


def test_no_token_is_401_in_the_error_shape_with_a_bearer_challenge(api_as: Callable[..., ApiClient]) -> None:
    response = api_as(None).get("/me")
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_token_identifies_its_user(api_as: Callable[..., ApiClient], sfj_admin: User) -> None:
    body = api_as(sfj_admin).get("/me").get_json()
    assert body["username"] == sfj_admin.username
    assert body["role"] == "unit_admin" and body["unit"]["key"] == "sfj"


def test_other_schemes_and_garbage_are_refused(api_as: Callable[..., ApiClient], office: User) -> None:
    client = api_as(office)
    for header in (f"Basic {client.token}", "Bearer", "Bearer not-a-token", f"Bearer {client.token}x"):
        assert_error(client.client.get("/api/v1/me", headers={"Authorization": header}), 401)


def test_a_revoked_token_stops_working(api_as: Callable[..., ApiClient], office: User) -> None:
    client = api_as(office)
    token = accounts.tokens_of(office)[-1]
    accounts.revoke_token(token, actor=office, now=NOW)
    db.session.commit()
    assert_error(client.get("/me"), 401)


def test_a_disabled_users_token_stops_working(api_as: Callable[..., ApiClient], sfj_member: User) -> None:
    client = api_as(sfj_member)
    sfj_member.is_enabled = False
    db.session.commit()
    assert_error(client.get("/me"), 401)


def test_a_token_is_shown_once_and_listed_without_its_secret(api_as: Callable[..., ApiClient],
                                                             office: User) -> None:
    client = api_as(office)
    created = client.post("/tokens", json={"name": "OA 系统"})
    assert created.status_code == 201
    secret = created.get_json()["token"]
    listed = client.get("/tokens").get_json()
    assert [t["name"] for t in listed][-1] == "OA 系统"
    assert all("token" not in t for t in listed) and secret not in str(listed)
    assert client.get("/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_a_logged_in_session_cookie_does_not_authenticate_the_api(app: Flask, make_user: Callable[..., User]
                                                                   ) -> None:
    make_user(Role.OFFICE_ADMIN, "office", username="browser_user")
    db.session.commit()
    browser = app.test_client()
    login = browser.post("/login", data={"username": "browser_user", "password": "Correct-Horse-9"})
    assert login.status_code == 302 and browser.get_cookie("session") is not None
    assert_error(browser.get("/api/v1/me"), 401)


def test_the_api_never_sets_a_cookie(api_as: Callable[..., ApiClient], office: User) -> None:
    client = api_as(office)
    for response in (client.get("/me"), client.post("/tokens", json={"name": "x"}), client.get("/nope"),
                     api_as(None).get("/board")):
        assert "Set-Cookie" not in response.headers


def test_the_api_needs_no_csrf_token_but_web_forms_still_do(app: Flask, api_as: Callable[..., ApiClient],
                                                            office: User) -> None:
    client = api_as(office)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/tokens", json={"name": "csrf"}).status_code == 201
        refused = app.test_client().post("/login", data={"username": "x", "password": "y"})
        assert refused.status_code == 400 and refused.mimetype == "text/html"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
