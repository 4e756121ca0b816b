"""Logging in and out of the web pages."""
from __future__ import annotations

import re

import pytest

from tracker.models import Role


@pytest.fixture
def sfj_admin(make_user):
    user = make_user(Role.UNIT_ADMIN, "sfj", username="sfj_clerk", password="Correct-Horse-9")
    user.must_change_password = False
    return user


def login(client, username: str, password: str):
    return client.post("/login", data={"username": username, "password": password})


def test_the_login_page_is_served_in_chinese(client):
    page = client.get("/login")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "登录名" in text and "密码" in text and 'lang="zh-CN"' in text


def test_pages_need_a_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_unit_logs_in_and_sees_its_own_unit_and_counts(client, sfj_admin, make_item):
    make_item("sfj")
    response = login(client, "sfj_clerk", "Correct-Horse-9")
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "市司法局" in home and "单位管理员" in home and "本单位工作项" in home
    assert "待签收" in home


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, sfj_admin):
    wrong_password = login(client, "sfj_clerk", "nope")
    unknown_user = login(client, "nobody", "nope")
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert "登录名或密码不正确" in wrong_password.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_a_disabled_account_cannot_log_in(client, sfj_admin):
    sfj_admin.is_enabled = False
    assert login(client, "sfj_clerk", "Correct-Horse-9").status_code == 401


def test_logout_ends_the_session(client, sfj_admin):
    login(client, "sfj_clerk", "Correct-Horse-9")
    assert client.get("/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_logout_by_get_is_not_allowed(client, sfj_admin):
    login(client, "sfj_clerk", "Correct-Horse-9")
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_an_unknown_page_is_a_chinese_error_page_not_a_traceback(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert "返回首页" in page.get_data(as_text=True)


def test_the_login_form_carries_a_csrf_token_when_csrf_is_on(app, client):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        page = client.get("/login").get_data(as_text=True)
        assert re.search(r'name="csrf_token" type="hidden" value="[^"]+"', page)
        assert client.post("/login", data={"username": "x", "password": "y"}).status_code in (400, 401)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
