"""The login controls of 等保 2.0 level 2: lockout, password rules, first-login change, session lifetimes, headers."""
from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from tracker.extensions import db
from tracker.models import Event, Role, UserSession
from tracker.clock import utcnow
from tracker.services.trust import accounts, security
from tracker.settings import settings

PASSWORD = "Correct-Horse-9"
START = "2024-03-04 09:00:00+08:00"


def login(client, username: str = "clerk", password: str = PASSWORD, address: str = "10.0.0.1"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(Event.action).where(Event.action.like("auth.%")).order_by(Event.id)))


def test_five_failures_lock_the_account_and_the_right_password_is_refused_until_the_period_ends(client, clerk):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            assert login(client, password="wrong").status_code == 401
        refused = login(client)
        assert refused.status_code == 401
        assert "已暂时锁定" in refused.get_data(as_text=True) and "09:30" in refused.get_data(as_text=True)
        clock.shift(timedelta(minutes=29))
        assert login(client).status_code == 401
        clock.shift(timedelta(minutes=2))
        assert login(client).status_code == 302
    assert actions().count("auth.login_failed") == 5
    assert "auth.lockout" in actions() and "auth.login_refused_locked" in actions() and actions()[-1] == "auth.login"


def test_a_lockout_does_not_tell_whether_the_login_name_exists(client, clerk):
    with time_machine.travel(START, tick=False):
        pages = {}
        for name in ("clerk", "nobody-here"):
            for attempt in range(6):
                page = login(client, username=name, password="wrong", address=f"10.1.0.{attempt}")
            pages[name] = page.get_data(as_text=True)
        assert "已暂时锁定" in pages["clerk"] and "已暂时锁定" in pages["nobody-here"]


def test_failures_from_one_address_lock_that_address_across_accounts(client, clerk):
    with time_machine.travel(START, tick=False):
        for name in ("a1", "a2", "a3", "a4", "a5"):
            login(client, username=name, password="wrong", address="10.9.9.9")
        assert login(client, address="10.9.9.9").status_code == 401
        assert login(client, address="10.9.9.10").status_code == 302


def test_failures_spread_over_more_than_the_window_do_not_lock(client, clerk):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(6):
            login(client, password="wrong", address="10.2.0.1")
            clock.shift(timedelta(minutes=4))
        assert login(client, address="10.2.0.1").status_code == 302


@pytest.mark.parametrize(("password", "rule"), [
    ("Short-1a", "至少 10 个字符"),
    ("alllowercaseletters", "至少三类"),
    ("Clerk-Password-1", "不能包含登录名"),
])
def test_passwords_must_follow_the_rules(clerk, password, rule, app):
    problems = security.password_problems(password, "clerk", security.SecurityPolicy())
    assert any(rule in p for p in problems)
    assert security.password_problems("Tracker-Strong-2024", "clerk", security.SecurityPolicy()) == []


def test_a_generated_password_must_be_changed_at_first_login(client, make_user):
    make_user(Role.UNIT_MEMBER, "sfj", username="newbie", password=PASSWORD)
    assert login(client, "newbie").status_code == 302
    assert client.get("/").headers["Location"] == "/password"
    weak = client.post("/password", data={"current": PASSWORD, "new": "weak"})
    assert weak.status_code == 422 and "至少 10 个字符" in weak.get_data(as_text=True)
    assert client.get("/").status_code == 302
    assert client.post("/password", data={"current": PASSWORD, "new": "Brand-New-Secret-7"}).status_code == 302
    assert client.get("/").status_code == 200


def test_a_password_older_than_the_maximum_age_must_be_changed(app, client, clerk, configure):
    configure(security=dataclasses.replace(settings(app).security, password_max_age=timedelta(days=90)))
    with time_machine.travel(START, tick=False) as clock:
        clerk.password_changed_at = utcnow()
        login(client)
        assert client.get("/").status_code == 200
        clock.shift(timedelta(days=91))
        assert login(client).status_code == 302
        assert client.get("/").headers.get("Location") == "/password"


def test_an_idle_session_ends_after_thirty_minutes(client, clerk):
    with time_machine.travel(START, tick=False) as clock:
        login(client)
        clock.shift(timedelta(minutes=20))
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=29))
        assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=31))
        assert client.get("/").status_code == 302


def test_a_session_ends_after_twelve_hours_however_busy(client, clerk):
    with time_machine.travel(START, tick=False) as clock:
        login(client)
        for _ in range(47):
            clock.shift(timedelta(minutes=15))
            assert client.get("/").status_code == 200
        clock.shift(timedelta(minutes=16))
        assert client.get("/").status_code == 302


def test_login_gives_a_new_session_and_logout_ends_it_on_the_server(app, client, clerk):
    login(client)
    with client.session_transaction() as cookie_session:
        first_sid = cookie_session["sid"]
    stolen = dict(cookie_session)
    client.post("/logout")
    record = db.session.get(UserSession, first_sid)
    assert record.ended_at is not None
    with client.session_transaction() as cookie_session:
        cookie_session.update(stolen)
    assert client.get("/").status_code == 302
    login(client)
    with client.session_transaction() as cookie_session:
        assert cookie_session["sid"] != first_sid
    assert "auth.logout" in actions()


def test_disabling_an_account_ends_its_sessions_at_once(client, clerk):
    login(client)
    assert client.get("/").status_code == 200
    clerk.is_enabled = False
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("path", ["/login", "/", "/no-such-page", "/static/app.css", "/api/v1/me",
                                  "/api/v1/openapi.json", "/api/v1/no-such-thing"])
def test_security_headers_are_on_every_kind_of_response(client, path):
    response = client.get(path, headers={"HX-Request": "true"})
    response.close()
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Server" not in response.headers


def test_session_cookie_is_httponly_and_lax_and_secure_behind_https(app, client, clerk):
    response = login(client)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_an_internal_error_shows_no_traceback(empty_app):
    @empty_app.route("/boom-for-test")
    def boom() -> str:
        raise RuntimeError("secret internals")

    empty_app.config["PROPAGATE_EXCEPTIONS"] = False
    page = empty_app.test_client().get("/boom-for-test")
    assert page.status_code == 500
    text = page.get_data(as_text=True)
    assert "secret internals" not in text and "Traceback" not in text


def test_behind_a_tls_proxy_cookies_are_secure_and_the_client_address_is_forwarded(tmp_path, monkeypatch):
    from werkzeug.middleware.proxy_fix import ProxyFix

    from tracker import create_app

    monkeypatch.setenv("TRACKER_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TRACKER_HTTPS", "1")
    monkeypatch.setenv("TRACKER_PROXY_FIX", "true")
    proxied = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "k"})
    assert proxied.config["SESSION_COOKIE_SECURE"] is True
    assert isinstance(proxied.wsgi_app, ProxyFix)
    response = proxied.test_client().get("/login", base_url="https://tracker.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


NEW = "Brand-New-Secret-7"


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
    assert client.post(f"/admin/users/{clerk.id}/reset-password").status_code == 303
    assert victim_browser.get("/").status_code == 302
    assert live_sessions(clerk) == 0 and live_sessions(boss) == 1
    assert accounts.user_for_token(secret) is clerk


def test_the_password_page_shows_the_rules_the_service_publishes(app, client, clerk):
    login(client)
    rules = security.password_rules(settings(app).security)
    assert rules in client.get("/password").get_data(as_text=True)
