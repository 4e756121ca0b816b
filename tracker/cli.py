"""`flask tracker ...`: seed files, accounts, tokens, the audit check, and the scheduler's commands.

Each command is one transaction (transaction.command): it commits when everything succeeded and writes nothing
otherwise; a refusal comes out in words with exit status 1 (cli_support.tracker_command). Settings come from
`settings()`, read and checked when the app was built.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from unicodedata import east_asian_width

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from . import transaction
from .cli_support import Refused, tracker_command
from .clock import frozen_time, utcnow
from .errors import Invalid, NotFound, TrackerError
from .extensions import db
from .models import ApiToken, Plan, Role, User, WorkItem
from .services.assessment import annual, rubric
from .services.io import intake, unit_intake
from .services.ledger import digests, escalation
from .services.plan import lookup, seeding
from .services.plan.loading import DEFAULT_PLAN, DEFAULT_UNITS, load_plan_file, load_units_file
from .services.trust import accounts, audit, backup, directory_sheet, directory_sync, security
from .services.work import event_duties, progress
from .services.work.deadlines import local_today
from .settings import settings, storage

tracker_cli = AppGroup("tracker", help="督办看板 Plan Tracker commands.")


def _hasher() -> Any:
    return current_app.extensions["password_hasher"]


def _print_report(what: str, report: seeding.LoadReport) -> None:
    created = ", ".join(f"{k} {v}" for k, v in sorted(report.created.items())) or "无"
    updated = ", ".join(f"{k} {v}" for k, v in sorted(report.updated.items())) or "无"
    click.echo(f"{what}:新建 {created};更新 {updated}")


@tracker_command(tracker_cli, "load-units")
@click.argument("path", type=click.Path(path_type=Path), default=DEFAULT_UNITS)
def load_units_command(path: Path) -> None:
    """Load or update the units (and their kinds) from a YAML file."""
    with transaction.command():
        _print_report("单位", load_units_file(path, now=utcnow()))


@tracker_command(tracker_cli, "load-plan")
@click.argument("path", type=click.Path(path_type=Path), default=DEFAULT_PLAN)
def load_plan_command(path: Path) -> None:
    """Load or update a plan from a YAML file; units must be loaded first."""
    with transaction.command():
        plan, report = load_plan_file(path, now=utcnow())
        _print_report(f"计划《{plan.title}》", report)
        _print_counts(plan)


def _print_counts(plan: Plan) -> None:
    items = db.session.execute(sa.select(sa.func.count()).where(WorkItem.plan_id == plan.id)).scalar()
    click.echo(f"现有:阶段 {len(plan.phases)},任务分组 {len(plan.groups)},任务 {len(plan.tasks)},工作项 {items}")


@tracker_command(tracker_cli, "bootstrap-accounts")
@click.option("--file", "out", type=click.Path(path_type=Path), default=None,
              help="Where to keep the generated passwords (default: instance/initial-accounts.txt).")
def bootstrap_accounts_command(out: Path | None) -> None:
    """Create one account per role if there are no accounts yet; print the passwords once."""
    with transaction.command():
        created = accounts.create_first_accounts(hasher=_hasher(), now=utcnow())
    if not created:
        click.echo("已有账号,未新建。初始账号见 instance/initial-accounts.txt(若仍保留)。")
        return
    out = out or Path(current_app.instance_path) / "initial-accounts.txt"
    lines = [f"{username}\t{password}\t{role.value}\t{unit_key}" for username, password, role, unit_key in created]
    out.write_text("# 初始账号(首次登录须修改密码)\n# login\tpassword\trole\tunit\n" + "\n".join(lines) + "\n",
                   encoding="utf-8")
    out.chmod(0o600)
    click.echo("已创建初始账号(首次登录须修改密码):")
    for line in lines:
        click.echo("  " + line.replace("\t", "  "))
    click.echo(f"密码同时保存在 {out}")


@tracker_command(tracker_cli, "create-user")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--unit", "unit_key", required=True, help="The unit's key, e.g. sfj.")
@click.option("--name", "display_name", default="", help="Display name.")
@click.option("--email", default=None)
@click.option("--password", default=None, help="Omit to generate one (printed once); else the password rules apply.")
def create_user_command(username: str, role: str, unit_key: str, display_name: str, email: str | None,
                        password: str | None) -> None:
    """Create an account in a unit with a role."""
    generated = password is None
    password = password or accounts.generate_password()
    with transaction.command():
        if not generated:
            security.require_password_policy(password, username.strip(), settings().security)
        accounts.create_user(username=username, display_name=display_name, role=Role(role),
                             unit=accounts.unit_by_key(unit_key), password=password, hasher=_hasher(),
                             actor=None, now=utcnow(), email=email)
    click.echo(f"已创建用户 {username}" + (f",初始密码:{password}" if generated else ""))


@tracker_command(tracker_cli, "reset-password")
@click.argument("username")
@click.option("--password", default=None, help="Omit to generate one (printed once); else the password rules apply.")
def reset_password_command(username: str, password: str | None) -> None:
    """Set a new password for an account; it must be changed at the next login."""
    generated = password is None
    password = password or accounts.generate_password()
    with transaction.command():
        if not generated:
            security.require_password_policy(password, username, settings().security)
        accounts.reset_password(accounts.user_by_name(username), password=password, hasher=_hasher(),
                                actor=None, now=utcnow())
    click.echo(f"已重置 {username} 的密码" + (f",新密码:{password}" if generated else ""))


token_cli = AppGroup("token", help="API tokens.")
tracker_cli.add_command(token_cli)


@tracker_command(token_cli, "create")
@click.argument("username")
@click.option("--name", default="cli", help="What the token is for.")
def token_create_command(username: str, name: str) -> None:
    """Create an API token; it is shown once."""
    with transaction.command():
        token, secret = accounts.create_token(accounts.user_by_name(username), name=name, actor=None,
                                              now=utcnow())
    click.echo(f"令牌 #{token.id}(仅显示这一次):")
    click.echo(secret)


@tracker_command(token_cli, "list")
@click.argument("username")
def token_list_command(username: str) -> None:
    """List a user's tokens (never their secrets)."""
    for token in accounts.tokens_of(accounts.user_by_name(username)):
        state = f"已吊销 {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "有效"
        click.echo(f"#{token.id}\t{token.prefix}…\t{token.name}\t{token.created_at:%Y-%m-%d %H:%M}\t{state}")


@tracker_command(token_cli, "revoke")
@click.argument("token_id", type=int)
def token_revoke_command(token_id: int) -> None:
    """Revoke a token by its number."""
    with transaction.command():
        token = db.session.get(ApiToken, token_id)
        if token is None:
            raise NotFound(f"令牌 #{token_id} 不存在")
        accounts.revoke_token(token, actor=None, now=utcnow())
    click.echo(f"已吊销令牌 #{token_id}")


@tracker_command(tracker_cli, "verify-audit")
def verify_audit_command() -> None:
    """Walk the audit chain; exit 1 naming the first event that does not verify."""
    report = audit.verify_chain()
    if report.ok:
        click.echo(f"审计链完整:共 {report.checked} 条事件,末条哈希 {report.last_hash}")
        return
    raise Refused(f"审计链校验失败:事件 #{report.first_bad_id}:{report.problem}(此前 {report.checked} 条完好)")


@tracker_command(tracker_cli, "backup")
@click.argument("destination", type=click.Path(path_type=Path))
def backup_command(destination: Path) -> None:
    """Write one archive: a consistent copy of the database, the evidence files and a manifest."""
    archive = backup.backup(destination, upload_dir=settings().upload_dir, now=utcnow())
    manifest = backup.read_manifest(archive)
    click.echo(f"已备份到 {archive}:工作项 {manifest['counts'].get('work_items', 0)},"
               f"审计事件 {manifest['counts'].get('events', 0)},文件 {len(manifest['files'])}")


@tracker_command(tracker_cli, "restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite a database that already holds data.")
def restore_command(archive: Path, force: bool) -> None:
    """Restore an archive made by `backup`, once its database, audit chain and files have passed every check."""
    report = backup.restore(archive, upload_dir=settings().upload_dir, force=force)
    click.echo(f"已恢复 {archive}:计数与清单一致,审计链完整(末条哈希 {report.last_hash}),"
               f"佐证文件 {report.files} 个与记录一致")


@tracker_command(tracker_cli, "check-files")
@click.option("--remove-orphans", is_flag=True, help="Delete files without a row that are older than a day.")
def check_files_command(remove_orphans: bool) -> None:
    """Compare the evidence folder with the attachment rows: orphans, missing and changed files; exit 1 if a row's
    file is missing or changed."""
    report = progress.files_report(storage().folder, now=utcnow(), remove_orphans=remove_orphans)
    for path in report.orphans:
        click.echo(f"无记录的文件(孤儿):{path}" + (",已删除" if path in report.removed else ""))
    for name in report.missing:
        click.echo(f"缺失的文件(有记录无文件):{name}")
    for name in report.changed:
        click.echo(f"内容与记录的 SHA-256 不符:{name}")
    summary = (f"孤儿文件 {len(report.orphans)} 个(已删除 {len(report.removed)} 个),缺失 {len(report.missing)} 个,"
               f"内容不符 {len(report.changed)} 个")
    if not report.ok:
        raise Refused(summary)
    click.echo(summary)


@tracker_command(tracker_cli, "export-audit")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True, help="First day (plan time zone).")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Last day, included.")
@click.option("--out", type=click.File("w", encoding="utf-8"), default="-", help="CSV file (default: stdout).")
def export_audit_command(start: datetime, end: datetime, out: Any) -> None:
    """Export audit events of a period as CSV for an auditor."""
    zone = settings().zone
    if end < start:
        raise Invalid("--to 早于 --from", "--to is before --from")
    count = audit.export_csv(out, start=start.replace(tzinfo=zone),
                             end=(end + timedelta(days=1)).replace(tzinfo=zone))
    click.echo(f"已导出 {count} 条审计事件", err=True)


def _parse_at(value: str | None, timezone: str) -> datetime:
    """An ISO date or datetime; without an offset it is read in the plan's time zone."""
    try:
        return frozen_time(value, timezone) if value else utcnow()
    except ValueError:
        raise click.BadParameter(f"不是 ISO 日期时间:{value}(例如 2024-01-01T00:00)") from None


@tracker_command(tracker_cli, "scan-overdue")
@click.option("--at", "at_text", default=None, help="Scan as of this moment (ISO; plan time zone if no offset).")
def scan_overdue_command(at_text: str | None) -> None:
    """Store overdue state and write the ladder's records as of now (or --at); safe to run any number of times."""
    found = settings()
    at = _parse_at(at_text, found.timezone)
    with transaction.command():
        result = escalation.scan(now=at, ladder=found.ladder, timezone=found.timezone,
                                 reminder_days=found.reminder_days, number_format=found.number_format)
    records = ", ".join(f"{k} {v}" for k, v in sorted(result.records.items())) or "无"
    click.echo(f"截至 {result.as_of}:新发现逾期 {result.newly_overdue} 项;新增督办记录:{records}")


@tracker_command(tracker_cli, "send-digests")
@click.option("--week", default=None, help="ISO week, e.g. 2024-W02 (default: the current week).")
def send_digests_command(week: str | None) -> None:
    """Build one week's digests (those not built yet) and send every delivery not yet sent."""
    from .scheduler import delivery

    found = settings()
    now = utcnow()
    key = week or digests.week_key(local_today(now, found.timezone))
    with transaction.command():
        result = digests.build_round(period_key=key, now=now, timezone=found.timezone, ladder=found.ladder,
                                     due_soon_days=found.due_soon_days, with_deliveries=found.smtp is not None)
    click.echo(f"{key}:新建周报 {result.digests} 份,待发送 {result.deliveries} 封")
    if found.smtp is None:
        click.echo("未配置 TRACKER_SMTP_HOST:周报已保存,未发送邮件")
        return
    sent = delivery.deliver(delivery.DigestMails(found.smtp), holder=f"send-digests:{os.getpid()}")
    click.echo(f"已发送 {sent['sent']} 封,失败 {sent['failed']} 封(失败的下次运行时重试)")


@tracker_command(tracker_cli, "scheduler")
@click.option("--once", is_flag=True, help="Take the lease, run whatever is due, and exit (for cron or a check).")
def scheduler_command(once: bool) -> None:
    """Run the scheduler in this process: the daily scan, Monday's digests, catch-up after downtime."""
    from .scheduler.runner import Runner

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Its settings were read when the app was built: a bad ladder, time or holidays file never gets this far.
    runner = Runner(current_app._get_current_object())  # type: ignore[attr-defined]
    if not once:
        click.echo(f"督办看板调度进程启动({runner.holder}),时区 {runner.settings.timezone}")
        runner.run_forever()
        return
    ran = runner.tick()
    runner.stop()
    if not runner.leading and not ran:
        click.echo("另一个调度进程持有租约,本次未运行任何任务")
    for job, key, outcome in ran:
        click.echo(f"{job} {key}: {outcome}")


@tracker_command(tracker_cli, "enter-event")
@click.argument("template_key")
@click.option("--unit", "unit_key", required=True, help="The unit the event happened to, e.g. sfj.")
@click.option("--date", "event_date", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The day of the event, e.g. 2024-03-01.")
@click.option("--label", required=True, help="What happened, e.g. 收到行政复议意见书(X复意〔2024〕3号).")
def enter_event_command(template_key: str, unit_key: str, event_date: datetime, label: str) -> None:
    """Enter an event for a "within N days of an event" duty: creates the unit's item, due N days later."""
    with transaction.command():
        item = event_duties.enter_event(template=event_duties.template_by_key(template_key), unit=accounts.unit_by_key(unit_key),
                                  event_date=event_date.date(), label=label, actor=None, now=utcnow())
        click.echo(f"已创建工作项 #{item.id}《{item.title}》,截止 {item.due_date}")


IntakeCommand = Callable[[Path, str, bool], None]


def intake_command(name: str, as_help: str) -> Callable[[IntakeCommand], IntakeCommand]:
    """An import command: the sheet's path, the office account (`--as`) and `--commit` (a dry run without it)."""
    def decorator(func: IntakeCommand) -> IntakeCommand:
        func = click.option("--commit", is_flag=True, help="Write the rows (all or none); without it, a dry run.")(func)
        func = click.option("--as", "username", required=True, help=as_help)(func)
        func = click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))(func)
        return tracker_command(tracker_cli, name)(func)
    return decorator


@intake_command("import-tasks", "The office account the items are assigned by.")
def import_tasks_command(path: Path, username: str, commit: bool) -> None:
    """Import a 任务分解表 (XLSX) as ad-hoc items: a dry run by default, every row reported."""
    _intake(path, intake.read_rows, username, commit, lambda rows, office, write: intake.import_tasks(
        rows, actor=office, plan=lookup.plan(None), commit=write, now=utcnow()))


@intake_command("import-units", "The office account doing the import.")
def import_units_command(path: Path, username: str, commit: bool) -> None:
    """Import the unit list (XLSX): a dry run by default, every row reported."""
    _intake(path, unit_intake.read_units, username, commit, lambda rows, office, write: unit_intake.import_units(
        rows, actor=office, commit=write, now=utcnow()))


def _intake(path: Path, read: Callable[[Any], intake.Rows], username: str, commit: bool,
            run: Callable[[intake.Rows, User, bool], intake.IntakeReport]) -> None:
    """The dry run always, printed row by row; with --commit the rows are then written, all or none. The file
    is read before the transaction begins, as at the web and API doors."""
    with transaction.command():
        with path.open("rb") as stream:
            rows = read(stream)
        office = accounts.user_by_name(username)
        report = run(rows, office, False)
        _print_intake(report)
        if commit and not report.count("refused"):
            report = run(rows, office, True)
        if commit and not report.committed:
            raise TrackerError(f"有 {report.count('refused')} 行被拒绝,未写入任何数据", "Rows were refused; nothing written")
        click.echo("已导入" if report.committed else "试导入,未写入任何数据")


def _print_intake(report: intake.IntakeReport) -> None:
    words = {"created": "新建", "updated": "更新", "unchanged": "无变化", "refused": "拒绝"}
    for row in report.rows:
        reasons = f":{';'.join(row.reasons)}" if row.reasons else ""
        click.echo(f"第 {row.row} 行 {words[row.action]} {row.title}{reasons}")
    click.echo(",".join(f"{words[a]} {report.count(a)}" for a in words))


@tracker_command(tracker_cli, "sync-directory")
@click.option("--from-ldap", "from_ldap", is_flag=True, help="Read the people (and units) from LDAP (TRACKER_LDAP_*).")
@click.option("--from-xlsx", "sheet", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Read the people from a sheet: 登录名, 姓名, 单位, 邮箱, 工号.")
@click.option("--apply", "write", is_flag=True, help="Apply every change (all or none); without it, a dry run.")
def sync_directory_command(from_ldap: bool, sheet: Path | None, write: bool) -> None:
    """Lay the directory's people over the accounts: a dry run by default, one line per change."""
    if from_ldap == (sheet is not None):
        raise Invalid("请指定 --from-ldap 或 --from-xlsx 文件 之一", "Give one of --from-ldap and --from-xlsx FILE")
    found = settings()
    units: list[Any] = []
    if sheet is not None:  # read, like the directory, before the transaction begins
        with sheet.open("rb") as stream:
            entries, source = directory_sheet.read_people(stream), directory_sheet.SOURCE
    elif found.ldap is None:
        raise Invalid("未配置 LDAP 目录(TRACKER_LDAP_URL 等)", "No LDAP directory is configured (TRACKER_LDAP_URL)")
    else:
        (units, entries), source = directory_sync.from_ldap(found.ldap), "ldap"
    with transaction.command():
        planned = directory_sync.plan(entries, source=source, match=found.sign_on.match, units=units)
        words = {"create": "新建账号", "link": "关联", "move": "调整单位", "update": "更新", "enable": "启用",
                 "disable": "停用", "unit_code": "单位信用代码", "refused": "拒绝"}
        for change in planned.changes:
            detail = ";".join(change.reasons) if change.reasons else change.detail
            click.echo(f"{change.where}\t{words[change.action]}\t{change.who}\t{detail}")
        counts = planned.counts()
        click.echo(",".join(f"{words[action]} {counts[action]}" for action in words if action in counts) or "无变化")
        if write:
            directory_sync.apply(planned, hasher=_hasher(), now=utcnow())
    click.echo("已同步" if write else "试运行,未作任何修改")


@tracker_command(tracker_cli, "assess")
@click.option("--year", type=click.IntRange(1900, 2199), required=True, help="The year assessed (plan time zone).")
@click.option("--rubric", "rubric_path", type=click.Path(path_type=Path), default=None,
              help="The rubric file (default: TRACKER_RUBRIC_FILE, seed_tasks/rubric_2023_2025.yaml).")
@click.option("--freeze", "freeze_as", default=None, metavar="USERNAME",
              help="Freeze (定稿) the year's result as this office account; refused if already frozen.")
def assess_command(year: int, rubric_path: Path | None, freeze_as: str | None) -> None:
    """Print the year's ranking with each rule's subtotal: the frozen result once the office froze it."""
    with transaction.command():
        scoring = rubric.read_rubric(rubric_path) if rubric_path else settings().rubric
        plan = annual.plan_for(scoring)
        ladder = settings().ladder
        now = utcnow()
        if freeze_as:
            annual.freeze(plan=plan, year=year, rubric=scoring, ladder=ladder,
                              actor=accounts.user_by_name(freeze_as), now=now)
        data = annual.result(plan=plan, year=year, rubric=scoring, ladder=ladder, now=now)
    _print_assessment(data)


def _print_assessment(data: dict[str, Any]) -> None:
    rules = data["rubric"]["rules"]
    state = (f"已定稿({data['frozen']['by']} {data['frozen']['at'][:16].replace('T', ' ')} UTC)"
             if data["frozen"] else "未定稿,按现行评分细则计算")
    click.echo(f"{data['plan']['title']} {data['year']} 年度考核 · 评分细则 {data['rubric']['version']} · {state}")
    if data.get("provisional"):
        click.echo(annual.provisional_words(data))
    header = ["名次", "单位", "得分", *(f"{r['label']}" for r in rules)]
    rows = [[str(u["rank"]), u["unit_name"], u["score"],
             *(f"{s['subtotal']}({s['count']})" for s in u["rules"])] for u in data["units"]]
    widths = [max(_shown_width(line[c]) for line in [header, *rows]) for c in range(len(header))]
    for line in [header, *rows]:
        click.echo("  ".join(cell + " " * (widths[c] - _shown_width(cell)) for c, cell in enumerate(line)).rstrip())


def _shown_width(text: str) -> int:
    return sum(2 if east_asian_width(c) in "WF" else 1 for c in text)
