"""`flask tracker sync-directory`: the city's people from a real slapd on loopback (or a people sheet) laid over the
accounts. A dry run shows each change and changes nothing; --apply makes them all, each audited, or none when a
row is refused; people gone are disabled and keep their history; a second run finds nothing to do; the scheduler
runs it daily only when asked to."""
from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests import ldap_server as slapd

from tracker.extensions import db
from tracker.models import Event, JobRun, Role, SignOnLink, Unit, User, UserSession
from tracker.scheduler import jobs
from tracker.services.io.intake_rows import workbook
from tracker.services.trust import account_admin, directory_sheet, security
from tracker.settings import settings as settings_of

ZHANGSAN, LISI, WANGWU = slapd.PEOPLE


@pytest.fixture
def directory(configure, own_ldap_server):
    """The app pointed at a directory of the test's own, which the test may change."""
    configure(ldap=slapd.settings_for(own_ldap_server))
    return own_ldap_server


def sync(app, *args: str):
    return app.test_cli_runner().invoke(args=["tracker", "sync-directory", *args])


def user(login: str) -> User | None:
    return db.session.scalars(sa.select(User).where(User.username == login)).one_or_none()


def snapshot() -> tuple[int, ...]:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(table)) for table in
                 (User.__table__, Event.__table__, SignOnLink.__table__)) + (
        db.session.scalar(sa.select(sa.func.count(User.id)).where(User.is_enabled.is_(True))),)


def entry_of(person: slapd.Person) -> str:
    return f"uid={person.uid},{slapd.PEOPLE_BASE}"


def people_sheet(tmp_path: Path, rows: list[list[object]]) -> str:
    path = tmp_path / "people.xlsx"
    path.write_bytes(workbook("人员名单", directory_sheet.COLUMNS, rows))
    return str(path)


def test_a_dry_run_prints_a_line_per_change_and_changes_nothing(app, directory, make_user):
    make_user(Role.UNIT_ADMIN, "sfj", username="zhangsan")
    before = snapshot()
    result = sync(app, "--from-ldap")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"{entry_of(WANGWU)}\t新建账号\twangwu\t王五,市司法局,unit_member" in lines
    assert any(line.startswith(f"{entry_of(ZHANGSAN)}\t更新\tzhangsan\t姓名:zhangsan → 张三") for line in lines)
    assert any(line.startswith(f"ou=sfj,{slapd.UNITS_BASE}\t单位信用代码\tsfj") for line in lines)
    assert lines[-1] == "试运行,未作任何修改"
    assert snapshot() == before and user("wangwu") is None


def test_apply_opens_accounts_in_the_directory_units_links_known_ones_and_audits_each_change(app, directory,
                                                                                           make_user, unit):
    zhangsan = make_user(Role.UNIT_ADMIN, "sfj", username="zhangsan")
    result = sync(app, "--from-ldap", "--apply")
    assert result.exit_code == 0 and result.output.splitlines()[-1] == "已同步", result.output
    wangwu, lisi = user("wangwu"), user("lisi")
    assert wangwu is not None and lisi is not None
    assert (wangwu.role, wangwu.unit.key, wangwu.email, wangwu.job_number) == (Role.UNIT_MEMBER, "sfj",
                                                                                WANGWU.mail, "0043")
    assert (lisi.role, lisi.unit.key) == (Role.UNIT_MEMBER, "gaj")
    assert (zhangsan.role, zhangsan.display_name, zhangsan.job_number) == (Role.UNIT_ADMIN, "张三", "0042")
    assert unit("sfj").credit_code == "11330100002482152X"
    linked = db.session.scalars(sa.select(SignOnLink.user_id).where(SignOnLink.source == "ldap")).all()
    assert sorted(linked) == sorted([zhangsan.id, wangwu.id, lisi.id])
    actions = db.session.scalars(sa.select(Event.action).where(Event.actor_label == "directory-sync")).all()
    assert sorted(actions) == sorted(["user.create"] * 2 + ["user.sign_on_link"] * 3 + ["user.directory_update"]
                                     + ["unit.directory_credit_code"] * 2)


def test_a_second_run_finds_nothing_to_change(app, directory):
    assert sync(app, "--from-ldap", "--apply").exit_code == 0
    before = snapshot()
    again = sync(app, "--from-ldap", "--apply")
    assert again.exit_code == 0 and again.output.splitlines() == ["无变化", "已同步"]
    assert snapshot() == before


def test_a_person_gone_from_the_directory_is_disabled_never_deleted_and_keeps_their_history(app, directory):
    assert sync(app, "--from-ldap", "--apply").exit_code == 0
    wangwu = user("wangwu")
    assert wangwu is not None
    session = security.start_session(wangwu, address="10.0.0.5", now=wangwu.created_at)
    history = db.session.scalars(sa.select(Event.id).where(Event.entity_type == "user",
                                                           Event.entity_id == wangwu.id)).all()
    db.session.commit()
    directory.ldif(f"dn: {entry_of(WANGWU)}\nchangetype: delete\n")
    result = sync(app, "--from-ldap", "--apply")
    assert result.exit_code == 0 and "-\t停用\twangwu\t王五:已不在目录中" in result.output.splitlines()
    db.session.expire_all()
    assert user("wangwu") is not None and not wangwu.is_enabled
    assert db.session.get(UserSession, session.id).ended_at is not None
    kept = db.session.scalars(sa.select(Event.id).where(Event.entity_type == "user", Event.entity_id == wangwu.id)
                              ).all()
    assert kept[:len(history)] == history and len(kept) == len(history) + 1
    assert app.test_cli_runner().invoke(args=["tracker", "verify-audit"]).exit_code == 0


def test_a_person_back_in_the_directory_is_enabled_again_but_not_one_an_administrator_disabled(
        app, directory, office, now):
    assert sync(app, "--from-ldap", "--apply").exit_code == 0
    directory.ldif(f"dn: {entry_of(WANGWU)}\nchangetype: delete\n")
    assert sync(app, "--from-ldap", "--apply").exit_code == 0
    lisi = user("lisi")
    assert lisi is not None
    account_admin.set_enabled(lisi, enabled=False, actor=office, now=now)
    directory.ldif(slapd.person_ldif(WANGWU).replace("\n", "\nchangetype: add\n", 1))
    result = sync(app, "--from-ldap", "--apply")
    assert result.exit_code == 0 and f"{entry_of(WANGWU)}\t启用\twangwu" in result.output, result.output
    db.session.expire_all()
    assert user("wangwu").is_enabled and not lisi.is_enabled


def test_a_person_moved_in_the_directory_moves_and_keeps_only_the_least_role(app, directory, make_user):
    zhangsan = make_user(Role.UNIT_ADMIN, "sfj", username="zhangsan")
    office = make_user(Role.OFFICE_ADMIN, "office", username="wangwu")
    directory.ldif(f"dn: {entry_of(ZHANGSAN)}\nchangetype: modify\nreplace: departmentNumber\ndepartmentNumber: gaj\n")
    assert sync(app, "--from-ldap", "--apply").exit_code == 0
    db.session.expire_all()
    assert (zhangsan.unit.key, zhangsan.role) == ("gaj", Role.UNIT_MEMBER)
    assert (office.unit.key, office.role) == ("office", Role.OFFICE_ADMIN)  # the office's accounts never move
    moved = db.session.scalars(sa.select(Event).where(Event.action == "user.directory_move")).one()
    assert moved.entity_id == zhangsan.id


def test_a_credit_code_another_unit_holds_is_refused_and_nothing_is_written(app, directory, unit):
    unit("gaj").credit_code = "11330100002482152X"  # the directory gives it to sfj
    db.session.commit()
    before = snapshot()
    result = sync(app, "--from-ldap", "--apply")
    assert result.exit_code == 1
    assert f"ou=sfj,{slapd.UNITS_BASE}\t拒绝\tsfj\t统一社会信用代码 11330100002482152X 已属于单位“gaj”" in result.output
    assert snapshot() == before and unit("sfj").credit_code is None


def test_a_directory_that_lists_nobody_is_refused_rather_than_disabling_everyone(app, directory, configure):
    assert sync(app, "--from-ldap", "--apply").exit_code == 0
    configure(ldap=slapd.settings_for(directory, people_filter="(uid=nobody-at-all)"))
    before = snapshot()
    result = sync(app, "--from-ldap", "--apply")
    assert result.exit_code == 1 and "目录中没有任何人员" in result.output
    assert snapshot() == before


def test_a_directory_that_cannot_be_reached_is_refused_in_words(app, configure, ldap_server):
    configure(ldap=slapd.settings_for(ldap_server, url=f"ldap://127.0.0.1:{slapd.free_port()}", timeout_seconds=1))
    before = snapshot()
    result = sync(app, "--from-ldap")
    assert result.exit_code == 1 and "无法读取 LDAP 目录" in result.output
    assert snapshot() == before


def test_a_broken_row_refuses_the_whole_sheet_naming_the_row_and_why(app, tmp_path):
    path = people_sheet(tmp_path, [["newbie", "新人", "sfj", "newbie@sfj.example.gov.cn", "0100"],
                                   ["ghost", "无名", "atlantis", "", ""],
                                   ["nameless", "", "sfj", "", ""]])
    before = snapshot()
    result = sync(app, "--from-xlsx", path, "--apply")
    assert result.exit_code == 1
    assert "第 3 行\t拒绝\tghost\t单位“atlantis”在本系统中不存在,请先通过单位名单导入" in result.output
    assert "第 4 行\t拒绝\tnameless\t姓名为空" in result.output and "未作任何修改" in result.output
    assert snapshot() == before and user("newbie") is None


def test_a_people_sheet_opens_and_later_disables_the_accounts_it_linked(app, tmp_path, make_user):
    keeper = make_user(Role.UNIT_MEMBER, "gaj", username="keeper")  # never in a sheet: never disabled by one
    first = people_sheet(tmp_path, [["newbie", "新人", "市司法局", "newbie@sfj.example.gov.cn", 100],
                                    ["other", "另一人", "gaj", "", ""]])
    assert sync(app, "--from-xlsx", first, "--apply").exit_code == 0
    newbie = user("newbie")
    assert newbie is not None and (newbie.unit.key, newbie.job_number) == ("sfj", "100")
    second = people_sheet(tmp_path, [["other", "另一人", "gaj", "", ""]])
    result = sync(app, "--from-xlsx", second, "--apply")
    assert result.exit_code == 0 and "-\t停用\tnewbie\t新人:已不在目录中" in result.output
    db.session.expire_all()
    assert not newbie.is_enabled and keeper.is_enabled


def test_the_command_needs_exactly_one_source(app, tmp_path):
    assert sync(app).exit_code == 1
    assert sync(app, "--from-ldap", "--from-xlsx", people_sheet(tmp_path, [])).exit_code == 1


def test_the_scheduled_sync_is_off_by_default_and_when_set_applies_the_directory(app, configure, directory, now):
    assert jobs.DIRECTORY_SYNC not in jobs.active_jobs(settings_of(app))
    configure(directory_sync_time=time(2, 0))
    assert jobs.DIRECTORY_SYNC in jobs.active_jobs(settings_of(app))
    assert jobs.run_period(jobs.DIRECTORY_SYNC, "2023-04-03", settings=settings_of(app), now=now) == "ok"
    assert user("wangwu") is not None and user("lisi") is not None
    run = db.session.scalars(sa.select(JobRun).where(JobRun.job == "directory")).one()
    assert run.outcome == "ok" and run.counts["create"] == 3
    assert db.session.scalar(sa.select(Unit.credit_code).where(Unit.key == "gaj")) == "113301000024821010"
