"""Accounts on the web: the office administers every account; a unit's admin its own unit's members only;
everyone else hears "not found" for any account, so ids cannot be probed. Every change is audited."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Event, Role, User
from tracker.services.trust import accounts

PASSWORD = "Correct-Horse-9"


def logged_in(client, make_user, role: Role, unit_key: str, name: str):
    user = make_user(role, unit_key, username=name, password=PASSWORD)
    user.must_change_password = False
    client.post("/login", data={"username": name, "password": PASSWORD})
    return user


def events(action: str, user_id: int) -> list[Event]:
    return list(db.session.scalars(sa.select(Event).where(Event.action == action, Event.entity_id == user_id)))


def shown_password(page: str) -> str:
    return re.search(r"首次登录须修改\):\s*([^<\s]+)", page).group(1)


def test_office_disables_an_account_and_its_tokens_stop_at_once(client, make_user, now):
    logged_in(client, make_user, Role.OFFICE_ADMIN, "office", "boss")
    target = make_user(Role.UNIT_ADMIN, "sfj", username="leaver")
    _token, secret = accounts.create_token(target, name="脚本", actor=None, now=now)
    response = client.post(f"/admin/users/{target.id}/disable")
    assert response.status_code == 303
    assert not target.is_enabled
    assert accounts.user_for_token(secret) is None
    assert events("user.disable", target.id)
    assert client.post(f"/admin/users/{target.id}/enable").status_code == 303 and target.is_enabled
    assert events("user.enable", target.id)


def test_office_resets_a_password_which_is_shown_once_and_must_be_changed(client, make_user, app):
    logged_in(client, make_user, Role.OFFICE_ADMIN, "office", "boss")
    target = make_user(Role.UNIT_MEMBER, "sfj", username="forgetful")
    target.must_change_password = False
    client.post(f"/admin/users/{target.id}/reset-password")
    new_password = shown_password(client.get("/admin/users").get_data(as_text=True))
    assert accounts.check_password(target, new_password, app.extensions["password_hasher"])
    assert target.must_change_password
    assert new_password not in client.get("/admin/users").get_data(as_text=True)


def test_office_cannot_disable_itself(client, make_user):
    boss = logged_in(client, make_user, Role.OFFICE_ADMIN, "office", "boss")
    assert client.post(f"/admin/users/{boss.id}/disable").status_code == 422
    assert boss.is_enabled


def test_office_creates_an_account_in_any_unit_with_a_password_shown_once(client, make_user, app, unit):
    logged_in(client, make_user, Role.OFFICE_ADMIN, "office", "boss")
    response = client.post("/admin/users/new", data={"username": "newcomer", "display_name": "新同事",
                                                     "role": "unit_admin", "unit_id": unit("jiaqu").id,
                                                     "email": "new@example.org"})
    assert response.status_code == 303
    user = accounts.user_by_name("newcomer")
    assert (user.role, user.unit_id, user.email, user.must_change_password) == (
        Role.UNIT_ADMIN, unit("jiaqu").id, "new@example.org", True)
    password = shown_password(client.get("/admin/users").get_data(as_text=True))
    assert accounts.check_password(user, password, app.extensions["password_hasher"])
    (created,) = events("user.create", user.id)
    assert created.actor_label == "boss"


def test_office_moves_an_account_to_another_unit_and_its_sessions_end(client, make_user, unit, app):
    logged_in(client, make_user, Role.OFFICE_ADMIN, "office", "boss")
    mover = make_user(Role.UNIT_MEMBER, "sfj", username="mover", password=PASSWORD)
    mover.must_change_password = False
    other = app.test_client()
    other.post("/login", data={"username": "mover", "password": PASSWORD})
    assert other.get("/").status_code == 200
    response = client.post(f"/admin/users/{mover.id}", data={"display_name": "调动者", "role": "unit_member",
                                                             "unit_id": unit("jiaqu").id})
    assert response.status_code == 303
    assert (mover.unit_id, mover.display_name) == (unit("jiaqu").id, "调动者")
    (changed,) = events("user.update", mover.id)
    assert changed.before["unit"] == "sfj" and "role" not in changed.before
    assert changed.after["unit"] == "jiaqu"
    assert other.get("/").status_code == 302, "a move between units ends the account's sessions"


def test_a_unit_admin_administers_its_own_members_only(client, make_user, unit):
    logged_in(client, make_user, Role.UNIT_ADMIN, "sfj", "sfj_boss")
    member = make_user(Role.UNIT_MEMBER, "sfj", username="sfj_clerk")
    colleague_admin = make_user(Role.UNIT_ADMIN, "sfj", username="sfj_second")
    stranger = make_user(Role.UNIT_MEMBER, "jiaqu", username="jiaqu_clerk")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "sfj_clerk" in page and "jiaqu_clerk" not in page and "sfj_second" not in page
    assert client.post(f"/admin/users/{member.id}/disable").status_code == 303 and not member.is_enabled
    assert client.post(f"/admin/users/{member.id}/enable").status_code == 303 and member.is_enabled
    for user in (colleague_admin, stranger):
        assert client.get(f"/admin/users/{user.id}").status_code == 404
        assert client.post(f"/admin/users/{user.id}/disable").status_code == 404
        assert client.post(f"/admin/users/{user.id}/reset-password").status_code == 404
        assert user.is_enabled


def test_a_unit_admin_makes_members_of_its_own_unit_and_nothing_more(client, make_user, unit):
    logged_in(client, make_user, Role.UNIT_ADMIN, "sfj", "sfj_boss")
    for data in ({"role": "unit_admin", "unit_id": unit("sfj").id},
                 {"role": "office_admin", "unit_id": unit("sfj").id},
                 {"role": "unit_member", "unit_id": unit("jiaqu").id}):
        response = client.post("/admin/users/new", data={"username": "grab", "display_name": "越权", **data})
        assert response.status_code == 422, data
    assert db.session.scalar(sa.select(User).where(User.username == "grab")) is None
    member = make_user(Role.UNIT_MEMBER, "sfj", username="sfj_clerk")
    assert client.post(f"/admin/users/{member.id}", data={"display_name": "x", "role": "unit_admin",
                                                          "unit_id": unit("sfj").id}).status_code == 422
    assert client.post(f"/admin/users/{member.id}", data={"display_name": "x", "role": "unit_member",
                                                          "unit_id": unit("jiaqu").id}).status_code == 422
    assert member.role == Role.UNIT_MEMBER and member.unit_id == unit("sfj").id
    assert client.post("/admin/users/new", data={"username": "sfj_new", "display_name": "新成员",
                                                 "role": "unit_member", "unit_id": unit("sfj").id}).status_code == 303
    assert accounts.user_by_name("sfj_new").unit_id == unit("sfj").id


@pytest.mark.parametrize("data", [
    {"username": "", "display_name": "空", "role": "unit_member"},
    {"username": "x" * 65, "display_name": "长", "role": "unit_member"},
    {"username": "bad\u0000name", "display_name": "控制符", "role": "unit_member"},
    {"username": "ok", "display_name": "错角色", "role": "king"},
    {"username": "ok", "display_name": "坏邮箱", "role": "unit_member", "email": "not-a-mail"},
    {"username": "ok", "display_name": "坏单位", "role": "unit_member", "unit_id": "١٢"},
    {"username": "ok", "display_name": "多余", "role": "unit_member", "is_enabled": "1"},
])
def test_a_bad_account_form_is_refused_in_words_and_creates_nothing(client, make_user, unit, data):
    logged_in(client, make_user, Role.OFFICE_ADMIN, "office", "boss")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    response = client.post("/admin/users/new", data={"unit_id": str(unit("sfj").id), **data})
    assert response.status_code == 422
    assert "填写的内容有误" in response.get_data(as_text=True) or "登录名" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before


def test_a_taken_login_name_is_refused(client, make_user, unit):
    logged_in(client, make_user, Role.OFFICE_ADMIN, "office", "boss")
    make_user(Role.UNIT_MEMBER, "sfj", username="taken")
    response = client.post("/admin/users/new", data={"username": "taken", "display_name": "重名",
                                                     "role": "unit_member", "unit_id": unit("sfj").id})
    assert response.status_code == 422 and "已被使用" in response.get_data(as_text=True)


def test_the_accounts_list_searches_filters_and_shows_the_last_sign_in(client, make_user, unit, now):
    logged_in(client, make_user, Role.OFFICE_ADMIN, "office", "boss")
    make_user(Role.UNIT_MEMBER, "sfj", username="zhang_san").display_name = "张三"
    gone = make_user(Role.UNIT_MEMBER, "jiaqu", username="li_si")
    gone.display_name, gone.is_enabled = "李四", False
    page = client.get("/admin/users?q=张").get_data(as_text=True)
    assert "zhang_san" in page and "li_si" not in page
    page = client.get(f"/admin/users?unit={unit('jiaqu').id}&enabled=false").get_data(as_text=True)
    assert "li_si" in page and "zhang_san" not in page
    page = client.get("/admin/users?role=office_admin").get_data(as_text=True)
    assert "boss" in page and "zhang_san" not in page
    row = page.split('id="account-', 1)[1].split("</tr>", 1)[0]
    assert "从未" not in row, "the office signed in just now"
    assert client.get("/admin/users?role=king").status_code == 422


@pytest.mark.parametrize(("role", "unit_key"), [(Role.LEADER, "city"), (Role.UNIT_ADMIN, "jiaqu"),
                                                (Role.UNIT_MEMBER, "sfj")])
def test_no_one_else_administers_an_account_and_ids_cannot_be_probed(client, make_user, app, role, unit_key):
    """Whoever may not administer an account hears "not found" for it and for one that does not exist."""
    logged_in(client, make_user, role, unit_key, "someone")
    target = make_user(Role.UNIT_MEMBER, "sfj", username="victim")
    missing = target.id + 1000
    for user_id in (target.id, missing):
        assert client.get(f"/admin/users/{user_id}").status_code in (403, 404)
        assert client.post(f"/admin/users/{user_id}/disable").status_code == 404
        assert client.post(f"/admin/users/{user_id}/enable").status_code == 404
        assert client.post(f"/admin/users/{user_id}/reset-password").status_code == 404
    assert target.is_enabled
    assert accounts.check_password(target, PASSWORD, app.extensions["password_hasher"])
    if role != Role.UNIT_ADMIN:
        assert client.get("/admin/users").status_code == 403
        assert client.post("/admin/users/new", data={"username": "x"}).status_code == 403



def test_the_accounts_list_costs_the_same_queries_whatever_the_number_of_units(client, make_user, count_queries):
    logged_in(client, make_user, Role.OFFICE_ADMIN, "office", "boss")
    client.get("/admin/users")

    def listed() -> list[str]:
        with count_queries() as statements:
            assert client.get("/admin/users").status_code == 200
        return [sql for sql in statements if "SAVEPOINT" not in sql]  # the test's own transaction bookkeeping

    few = listed()
    for key in ("sfj", "gaj", "jiaqu", "city"):
        make_user(Role.UNIT_MEMBER, key, username=f"more_{key}")
    more = listed()
    assert len(more) <= len(few), "\n".join(more)
