"""`flask tracker demo`: build the demo database to a day, then serve the app on it with its clock stopped there."""
from __future__ import annotations

import socket
import time
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from werkzeug.serving import run_simple

from ..cli import tracker_cli
from ..cli_support import tracker_command
from ..errors import TrackerError
from .build import AppFactory, DemoPaths, DemoResult, build, demo_app
from .script import DEFAULT_SCRIPT, read_script

DEFAULT_UNTIL = "2024-12-31"


def demo_command(factory: AppFactory) -> None:
    """Register `flask tracker demo`, building the demo's apps with `factory`: create_app hands itself down when
    it registers the command, so the demo never imports the app that carries it."""

    @tracker_command(tracker_cli, "demo")  # a bad script, seed file or day: the CLI's one way of refusing
    @click.option("--until", "until", type=click.DateTime(["%Y-%m-%d"]), default=DEFAULT_UNTIL, show_default=True,
                  help="Replay the plan up to this day (included).")
    @click.option("--serve/--no-serve", default=True, show_default=True, help="Serve the demo once it is built.")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=5000, show_default=True,
                  help="Another free port is taken when this one is busy.")
    @click.option("--check", is_flag=True, help="Only check seed_tasks/demo_script.yaml and exit.")
    def command(until: datetime, serve: bool, host: str, port: int, check: bool) -> None:
        """Build instance/demo.db (never the real database) from a scripted history, then serve it."""
        if check:
            read_script(DEFAULT_SCRIPT)
            click.echo(f"{DEFAULT_SCRIPT}:没有问题")
            return
        paths = DemoPaths(Path(current_app.instance_path))
        click.echo(f"正在生成演示数据库 {paths.database},回放至 {until:%Y-%m-%d}……")
        started = time.monotonic()
        result = build(factory, paths, until=until.date(), real_url=current_app.config["SQLALCHEMY_DATABASE_URI"])
        _summary(result, time.monotonic() - started)
        if serve:
            _serve(factory, paths, result, host, port)


def _summary(result: DemoResult, seconds: float) -> None:
    replay = result.replay
    click.echo(f"回放 {replay.days} 天,用时 {seconds:.1f} 秒;操作:"
               + ",".join(f"{k} {v}" for k, v in sorted(replay.steps.items())))
    if replay.refused:
        click.echo(f"被拒绝的操作 {len(replay.refused)} 项(演示脚本与规则不符):", err=True)
        for line in replay.refused[:20]:
            click.echo(f"  {line}", err=True)
    click.echo("看板各列:" + ",".join(f"{k} {v}" for k, v in result.columns.items()))
    click.echo("督办记录:" + (",".join(f"{k} {v}" for k, v in result.records.items()) or "无"))
    click.echo(f"周报:{result.digests} 份")
    scores = result.scores
    if scores.get("units"):
        frozen = "、".join(str(y) for y in scores["frozen"])
        click.echo(f"{scores['year']} 年度考核:{scores['units']} 个单位,得分 {scores['lowest']} 至 {scores['highest']}"
                   + (f";{frozen} 年度已定稿" if frozen else "") + "(/assessment)")
    click.echo(f"演示账号(密码均为 {result.password}):")
    for username, role, unit in result.accounts:
        click.echo(f"  {username:<26}{role:<14}{unit}")


def _serve(factory: AppFactory, paths: DemoPaths, result: DemoResult, host: str, wanted: int) -> None:
    port = free_port(host, wanted)
    if port != wanted:
        click.echo(f"端口 {wanted} 已被占用,改用 {port}")
    app = demo_app(factory, paths, {"TRACKER_CLOCK_AT": result.clock_at})
    click.echo(f"演示:http://{host}:{port}/ (演示时钟停在 {result.clock_at};Ctrl-C 结束)")
    run_simple(host, port, app, threaded=True)


def free_port(host: str, wanted: int) -> int:
    """`wanted` when it can be bound, else a free port the system picks."""
    for port in (wanted, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise TrackerError(f"无法在 {host} 上监听", f"Cannot listen on {host}")

