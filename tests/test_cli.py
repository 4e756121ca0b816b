"""Accounts and tokens from the command line: each refusal explained, nothing half-written."""
from __future__ import annotations

import sqlalchemy as sa
from flask.cli import AppGroup
from tests.intake_helpers import NEW_UNITS, forty_rows, sheet, unit_sheet

from tracker import transaction
from tracker.cli_support import tracker_command
from tracker.errors import Invalid
from tracker.extensions import db
from tracker.models import ApiToken, Role, Unit, User, WorkItem
from tracker.services.trust import accounts


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["tracker", *args])


def test_create_user_prints_a_generated_password_once_and_it_works(app):
    result = run(app, "create-user", "jiaqu_clerk", "--role", "unit_admin", "--unit", "jiaqu")
    assert result.exit_code == 0, result.output
    password = result.output.strip().rsplit(":", 1)[1]
    user = accounts.user_by_name("jiaqu_clerk")
    assert user.role == Role.UNIT_ADMIN and user.unit.key == "jiaqu" and user.must_change_password
    assert accounts.check_password(user, password, app.extensions["password_hasher"])
    assert password not in user.password_hash


def test_a_user_in_a_unit_that_does_not_exist_is_refused(app):
    result = run(app, "create-user", "ghost", "--role", "unit_admin", "--unit", "atlantis")
    assert result.exit_code == 1
    assert "单位 “atlantis” 不存在" in result.output
    assert db.session.execute(sa.select(User).where(User.username == "ghost")).first() is None


def test_an_unknown_role_is_refused(app):
    result = run(app, "create-user", "ghost", "--role", "king", "--unit", "sfj")
    assert result.exit_code == 2
    assert db.session.execute(sa.select(User).where(User.username == "ghost")).first() is None


def test_a_login_name_cannot_be_taken_twice(app, make_user):
    make_user(Role.UNIT_MEMBER, "sfj", username="taken")
    result = run(app, "create-user", "taken", "--role", "unit_admin", "--unit", "sfj")
    assert result.exit_code == 1 and "已被使用" in result.output


def test_reset_password_replaces_the_old_one_and_forces_a_change(app, make_user):
    user = make_user(Role.UNIT_MEMBER, "sfj", username="forgetful", password="Old-Password-1")
    user.must_change_password = False
    result = run(app, "reset-password", "forgetful", "--password", "New-Password-2")
    assert result.exit_code == 0
    hasher = app.extensions["password_hasher"]
    assert accounts.check_password(user, "New-Password-2", hasher)
    assert not accounts.check_password(user, "Old-Password-1", hasher)
    assert user.must_change_password


def test_a_token_is_shown_once_stored_hashed_listed_and_revoked(app, make_user):
    make_user(Role.OFFICE_ADMIN, "office", username="office_clerk")
    created = run(app, "token", "create", "office_clerk", "--name", "OA 系统")
    assert created.exit_code == 0
    secret = created.output.strip().splitlines()[-1]
    assert secret.startswith("pt_")
    token = db.session.execute(sa.select(ApiToken).where(ApiToken.name == "OA 系统")).scalar_one()
    assert secret not in (token.token_hash, token.prefix)
    assert accounts.user_for_token(secret).username == "office_clerk"

    listed = run(app, "token", "list", "office_clerk")
    assert "OA 系统" in listed.output and secret not in listed.output and "有效" in listed.output

    assert run(app, "token", "revoke", str(token.id)).exit_code == 0
    assert accounts.user_for_token(secret) is None
    assert "已吊销" in run(app, "token", "list", "office_clerk").output


def test_revoking_a_token_that_does_not_exist_is_refused(app):
    result = run(app, "token", "revoke", "999999")
    assert result.exit_code == 1 and "不存在" in result.output


def test_a_disabled_accounts_tokens_stop_working_at_once(app, make_user, now):
    user = make_user(Role.UNIT_ADMIN, "sfj")
    _token, secret = accounts.create_token(user, name="脚本", actor=None, now=now)
    assert accounts.user_for_token(secret) is user
    user.is_enabled = False
    assert accounts.user_for_token(secret) is None


def test_bootstrap_creates_one_account_per_role_only_into_an_empty_database(app, tmp_path):
    out = tmp_path / "accounts.txt"
    db.session.execute(sa.delete(User.__table__))
    first = run(app, "bootstrap-accounts", "--file", str(out))
    assert first.exit_code == 0, first.output
    roles = set(db.session.scalars(sa.select(User.role)))
    assert roles == set(Role)
    lines = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert len(lines) == 4 and all(len(parts) == 4 for parts in lines)
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    second = run(app, "bootstrap-accounts", "--file", str(tmp_path / "again.txt"))
    assert "已有账号" in second.output and not (tmp_path / "again.txt").exists()


def test_import_tasks_dry_runs_by_default_and_commits_all_or_nothing(app, office, tmp_path):
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(sheet(forty_rows()[:5]).getvalue())
    rows = forty_rows()[:5]
    rows[3][5] = "明年"
    bad.write_bytes(sheet(rows).getvalue())
    db.session.commit()
    runner = app.test_cli_runner()

    def ad_hoc() -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(WorkItem).where(WorkItem.task_id.is_(None)))

    before = ad_hoc()
    dry = runner.invoke(args=["tracker", "import-tasks", str(good), "--as", office.username])
    assert dry.exit_code == 0 and "新建 5" in dry.output and ad_hoc() == before
    refused = runner.invoke(args=["tracker", "import-tasks", str(bad), "--as", office.username, "--commit"])
    assert refused.exit_code == 1 and "第 5 行 拒绝" in refused.output and ad_hoc() == before
    done = runner.invoke(args=["tracker", "import-tasks", str(good), "--as", office.username, "--commit"])
    assert done.exit_code == 0 and "已导入" in done.output and ad_hoc() == before + 5


def test_import_units_reports_each_row_and_commits(app, office, tmp_path):
    path = tmp_path / "units.xlsx"
    path.write_bytes(unit_sheet(NEW_UNITS).getvalue())
    db.session.commit()
    result = run(app, "import-units", str(path), "--as", office.username, "--commit")
    assert result.exit_code == 0 and "第 3 行 新建 南苑社区" in result.output and "已导入" in result.output


def test_create_user_refuses_a_password_that_breaks_the_rules(app):
    result = run(app, "create-user", "weakling", "--role", "unit_admin", "--unit", "sfj", "--password", "a")
    assert result.exit_code == 1 and "至少 10 个字符" in result.output
    assert db.session.execute(sa.select(User).where(User.username == "weakling")).first() is None


def test_reset_password_refuses_a_password_that_breaks_the_rules(app, make_user):
    user = make_user(Role.UNIT_MEMBER, "sfj", username="keeper", password="Old-Password-1")
    result = run(app, "reset-password", "keeper", "--password", "keeper-Pass-1")
    assert result.exit_code == 1 and "不能包含登录名" in result.output
    assert accounts.check_password(user, "Old-Password-1", app.extensions["password_hasher"])


def test_reset_password_from_the_command_line_ends_the_users_sessions(app, make_user, now):
    from tracker.models import UserSession
    from tracker.services.trust import security

    user = make_user(Role.UNIT_MEMBER, "sfj", username="hijacked")
    session = security.start_session(user, address="10.0.0.9", now=now)
    assert run(app, "reset-password", "hijacked").exit_code == 0
    db.session.expire_all()
    assert db.session.get(UserSession, session.id).ended_at is not None


def test_a_refused_command_exits_1_with_its_reason_and_writes_nothing(app):
    """Every command refuses one way (cli_support.tracker_command): 错误 and the reason, exit 1, rolled back."""
    group = AppGroup("scratch")

    @tracker_command(group, "half-done")
    def half_done() -> None:
        with transaction.command():
            kind = db.session.scalars(sa.select(Unit.kind)).first()
            db.session.add(Unit(key="halfway", name="写了一半的单位", short_name="半", kind=kind))
            db.session.flush()
            raise Invalid("第二步被拒绝", "The second step was refused")

    result = app.test_cli_runner().invoke(group, ["half-done"])
    assert result.exit_code == 1
    assert "错误:第二步被拒绝" in result.output
    assert db.session.execute(sa.select(Unit).where(Unit.key == "halfway")).first() is None

