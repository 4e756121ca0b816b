"""Backup while the app writes, restore into an empty database: counts, files and the audit chain identical."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import subprocess
import tarfile
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.conftest import postgres_server_url

from tracker.extensions import db
from tracker.models import Attachment, Event, Role, Unit, WorkItem
from tracker.services.trust import accounts, audit, backup


def _evidence(app, now) -> dict[str, str]:
    """Three evidence files on disk with their rows, as the upload service leaves them."""
    upload_dir = Path(app.config["TRACKER_UPLOAD_DIR"])
    upload_dir.mkdir(parents=True, exist_ok=True)
    sfj = db.session.execute(sa.select(Unit).where(Unit.key == "sfj")).scalar_one()
    clerk = accounts.create_user(username="clerk", display_name="经办人", role=Role.UNIT_ADMIN, unit=sfj,
                                 password="Correct-Horse-9", hasher=app.extensions["password_hasher"], actor=None, now=now)
    item_id = db.session.execute(sa.select(WorkItem.id).where(WorkItem.unit_id == sfj.id)).scalars().first()
    digests = {}
    for n in range(3):
        content = f"佐证材料 {n}".encode() * 100
        name = f"{n:032x}.pdf"
        (upload_dir / name).write_bytes(content)
        digests[name] = hashlib.sha256(content).hexdigest()
        db.session.add(Attachment(item_id=item_id, uploaded_by_id=clerk.id, at=now, original_name=f"材料{n}.pdf",
                                  stored_name=name, content_type="application/pdf", size=len(content),
                                  sha256=digests[name]))
    db.session.commit()
    return digests


def test_backup_taken_while_another_thread_writes_restores_identically(committed_app, empty_app, tmp_path, now):
    with committed_app.app_context():
        digests = _evidence(committed_app, now)
    stop = threading.Event()
    writes = []

    def keep_writing() -> None:
        with committed_app.app_context():
            user = accounts.user_by_name("clerk")
            while not stop.is_set():
                accounts.create_token(user, name=f"令牌{len(writes)}", actor=None, now=now)
                db.session.commit()
                writes.append(1)
            db.session.remove()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(writes) < 5:
            stop.wait(0.01)
        with committed_app.app_context():
            archive = backup.backup(tmp_path, upload_dir=Path(committed_app.config["TRACKER_UPLOAD_DIR"]), now=now)
        written_during = len(writes)
    finally:
        stop.set()
        writer.join(30)
    assert written_during >= 5

    manifest = backup.read_manifest(archive)
    assert manifest["files"] == digests
    assert manifest["counts"]["work_items"] == 1278

    result = empty_app.test_cli_runner().invoke(args=["tracker", "restore", str(archive)])
    assert result.exit_code == 0, result.output
    with empty_app.app_context():
        counts = {t: db.session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in manifest["counts"]}
        assert counts == manifest["counts"]
        chain = audit.verify_chain()
        assert chain.ok and chain.last_hash == manifest["audit_last_hash"]
        assert db.session.execute(sa.select(sa.func.count()).select_from(Attachment)).scalar() == 3
    restored = Path(empty_app.config["TRACKER_UPLOAD_DIR"])
    assert {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in restored.iterdir()} == digests


def test_restore_refuses_a_database_that_holds_data(committed_app, tmp_path, now):
    with committed_app.app_context():
        archive = backup.backup(tmp_path, upload_dir=Path(committed_app.config["TRACKER_UPLOAD_DIR"]), now=now)
        before = db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar()
    result = committed_app.test_cli_runner().invoke(args=["tracker", "restore", str(archive)])
    assert result.exit_code == 1 and "--force" in result.output
    with committed_app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar() == before


def test_restore_refuses_a_file_that_is_not_an_archive(empty_app, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    result = empty_app.test_cli_runner().invoke(args=["tracker", "restore", str(junk)])
    assert result.exit_code == 1 and "无法读取备份文件" in result.output


def test_audit_export_writes_the_period_as_csv_with_a_bom(app, make_item, now):
    make_item("sfj")
    out = io.StringIO()
    count = audit.export_csv(out, start=now.replace(hour=0), end=now.replace(hour=23))
    text = out.getvalue()
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["id", "at", "actor_id"]
    assert len(rows) - 1 == count >= 2
    assert any(r[4] == "item.create" for r in rows[1:])


def test_export_audit_command_refuses_a_reversed_period(app):
    result = app.test_cli_runner().invoke(args=["tracker", "export-audit", "--from", "2024-02-01", "--to",
                                                "2024-01-01"])
    assert result.exit_code == 1 and "早于" in result.output


def _rewrite(archive: Path, out: Path, *, sql: str | None = None, file_bytes: dict[str, bytes] | None = None,
             manifest_change: Callable[[dict], None] | None = None) -> Path:
    """A copy of an archive as someone who edits it would leave it: SQL run on its database copy, files replaced,
    and the manifest's digest of the database copy brought up to date (the audit chain they cannot forge)."""
    folder = out.with_suffix(".d")
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(folder, filter="data")
    manifest = json.loads((folder / backup.MANIFEST).read_text(encoding="utf-8"))
    copy = folder / (backup.SQLITE_COPY if manifest["dialect"] == "sqlite" else backup.PG_DUMP)
    if sql:
        _run_sql_on_copy(copy, manifest["dialect"], sql)
        manifest["database_sha256"] = hashlib.sha256(copy.read_bytes()).hexdigest()
    for name, content in (file_bytes or {}).items():
        (folder / "files" / name).write_bytes(content)
    if manifest_change:
        manifest_change(manifest)
    (folder / backup.MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with tarfile.open(out, "w:gz") as tar:
        for path in sorted(folder.iterdir()):
            tar.add(path, arcname=path.name)
    return out


def _run_sql_on_copy(copy: Path, dialect: str, sql: str) -> None:
    if dialect == "sqlite":
        with sqlite3.connect(copy) as connection:
            connection.execute(sql)
        return
    server = sa.create_engine(postgres_server_url(), isolation_level="AUTOCOMMIT")
    name = f"tracker_edit_{uuid.uuid4().hex[:8]}"
    url = sa.make_url(postgres_server_url()).set(database=name, drivername="postgresql")
    libpq = url.render_as_string(hide_password=False)
    with server.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        subprocess.run(["pg_restore", "--no-owner", f"--dbname={libpq}", str(copy)], check=True, capture_output=True)
        subprocess.run(["psql", libpq, "-c", sql], check=True, capture_output=True)
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={copy}", libpq], check=True,
                       capture_output=True)
    finally:
        with server.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.dispose()


def _target_state(app) -> tuple[object, dict[str, str]]:
    """What a refused restore must leave as it was: the SQLite file byte for byte (on PostgreSQL the row counts
    and the chain's head), and every file in the upload folder."""
    with app.app_context():
        url = db.engine.url
        if url.get_backend_name() == "sqlite":
            db.session.remove()
            db.engine.dispose()
            database: object = hashlib.sha256(Path(url.database).read_bytes()).hexdigest()
        else:
            with db.engine.connect() as connection:
                database = backup._snapshot_facts(connection)
            db.session.remove()
            db.engine.dispose()
    upload_dir = Path(app.config["TRACKER_UPLOAD_DIR"])
    files = {str(p.relative_to(upload_dir)): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in upload_dir.rglob("*") if p.is_file()}
    return database, files


@pytest.fixture
def archived(committed_app, tmp_path, now):
    """A database with three evidence files and a good archive of it; refused restores are aimed (with --force)
    at that same database, which must come out of each exactly as it went in."""
    with committed_app.app_context():
        digests = _evidence(committed_app, now)
        archive = backup.backup(tmp_path, upload_dir=Path(committed_app.config["TRACKER_UPLOAD_DIR"]), now=now)
        db.session.remove()
    return committed_app, archive, digests


def _refused(target, archive: Path, problem: str) -> None:
    before = _target_state(target)
    result = target.test_cli_runner().invoke(args=["tracker", "restore", "--force", str(archive)])
    assert result.exit_code == 1, result.output
    assert "目标未改动" in result.output and problem in result.output, result.output
    assert _target_state(target) == before


def test_a_changed_evidence_file_is_refused_and_the_target_stays_as_it_was(archived, tmp_path):
    target, archive, digests = archived
    name = sorted(digests)[0]
    forged = _rewrite(archive, tmp_path / "forged.tar.gz", file_bytes={name: b"%PDF-1.4 forged"})
    _refused(target, forged, f"{name}:文件内容的 SHA-256 与记录不符")


def test_a_changed_event_row_is_refused_and_the_target_stays_as_it_was(archived, tmp_path):
    target, archive, _digests = archived
    forged = _rewrite(archive, tmp_path / "forged.tar.gz",
                      sql="UPDATE events SET actor_label = 'forged' WHERE id = 3")
    _refused(target, forged, "审计链在事件 #3 处断开")


def test_a_changed_attachment_row_is_refused_and_the_target_stays_as_it_was(archived, tmp_path):
    target, archive, digests = archived
    name = sorted(digests)[1]
    forged = _rewrite(archive, tmp_path / "forged.tar.gz",
                      sql=f"UPDATE attachments SET sha256 = '{'0' * 64}' WHERE stored_name = '{name}'")
    _refused(target, forged, f"{name}:附件记录的 SHA-256 与清单不符")


def test_counts_or_a_database_digest_that_disagree_with_the_manifest_are_refused(archived, tmp_path):
    target, archive, _digests = archived
    counts = _rewrite(archive, tmp_path / "counts.tar.gz", manifest_change=lambda m: m["counts"].update(work_items=1277))
    _refused(target, counts, "表 work_items 行数 1278,清单为 1277")
    digest = _rewrite(archive, tmp_path / "digest.tar.gz", manifest_change=lambda m: m.update(database_sha256="0" * 64))
    _refused(target, digest, "数据库副本的 SHA-256 与清单不符")


def test_an_archive_of_a_broken_chain_is_refused_and_the_target_stays_as_it_was(archived, tmp_path, now):
    target, _archive, _digests = archived
    with target.app_context():
        db.session.execute(sa.update(Event.__table__).where(Event.__table__.c.id == 2).values(actor_label="x"))
        db.session.commit()
        broken = backup.backup(tmp_path / "broken.tar.gz", upload_dir=Path(target.config["TRACKER_UPLOAD_DIR"]),
                               now=now)
        db.session.remove()
    _refused(target, broken, "审计链在事件 #2 处断开")


def test_a_backup_holds_only_the_files_its_snapshot_names(committed_app, tmp_path, now):
    with committed_app.app_context():
        digests = _evidence(committed_app, now)
        upload_dir = Path(committed_app.config["TRACKER_UPLOAD_DIR"])
        (upload_dir / "written-after-the-snapshot.pdf").write_bytes(b"%PDF-1.4 no row")
        archive = backup.backup(tmp_path, upload_dir=upload_dir, now=now)
    with tarfile.open(archive, "r:gz") as tar:
        names = {m.name.removeprefix("files/") for m in tar.getmembers() if m.name.startswith("files/")}
    assert names == set(digests)
    assert backup.read_manifest(archive)["files"] == digests


def test_a_backup_refuses_when_a_rows_file_is_missing(committed_app, tmp_path, now):
    with committed_app.app_context():
        digests = _evidence(committed_app, now)
        upload_dir = Path(committed_app.config["TRACKER_UPLOAD_DIR"])
        (upload_dir / sorted(digests)[0]).unlink()
    result = committed_app.test_cli_runner().invoke(args=["tracker", "backup", str(tmp_path)])
    assert result.exit_code == 1 and "文件缺失" in result.output and "check-files" in result.output
    assert not list(tmp_path.glob("*.tar.gz"))
