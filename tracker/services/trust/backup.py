"""Backup and restore: one archive with a consistent copy of the database, the evidence files and a manifest.

The copy is consistent while the app serves: SQLite's online backup API copies a snapshot; for PostgreSQL the
counts, the audit chain's last hash and the attachment rows are read in a REPEATABLE READ transaction whose
snapshot pg_dump then shares (`--snapshot`), so the manifest describes exactly what was dumped. The archive holds
the files the snapshot's attachment rows name, and no other: a file written after the snapshot has no row in it.

A restore trusts nothing in the archive. It checks everything first, away from the target: the copy's SHA-256,
its row counts and audit chain against the manifest, and every evidence file's SHA-256 against the manifest and
its attachment row, on the unpacked SQLite copy or in a scratch PostgreSQL database. Only when all of it holds
does it replace the target (SQLite's backup API, or one pg_restore transaction) and move the files into place;
a refused restore leaves the target database and files exactly as they were.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ...errors import Invalid
from ...extensions import db
from .audit import GENESIS_HASH, verify_chain
from ..work.progress import file_sha256, located

MANIFEST = "manifest.json"
SQLITE_COPY, PG_DUMP = "database.sqlite3", "database.pgdump"
COUNTED = ("units", "users", "plans", "tasks", "work_items", "events", "attachments", "progress_updates",
           "accountability_records", "digests")


@dataclass(frozen=True)
class RestoreReport:
    manifest: dict[str, Any]
    counts: dict[str, int]
    last_hash: str
    files: int


class ArchiveRefused(Invalid):
    """The archive does not hold what its manifest says; nothing was restored."""

    code = "archive_refused"

    def __init__(self, problems: list[str]) -> None:
        shown = ";".join(problems[:10]) + (f" 等 {len(problems)} 处" if len(problems) > 10 else "")
        super().__init__(f"备份未通过校验,目标未改动:{shown}",
                         f"The archive failed its checks; nothing was restored ({len(problems)} problems)")
        self.problems = problems


class MissingEvidence(Invalid, code="evidence_missing"):
    """Evidence files the database names are missing or changed: a backup without them would not restore whole."""


def _libpq_url(url: sa.URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _snapshot_facts(connection: sa.Connection) -> dict[str, Any]:
    tables = set(sa.inspect(connection).get_table_names())
    counts = {t: connection.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
              for t in COUNTED if t in tables}
    last = connection.execute(sa.text("SELECT hash FROM events ORDER BY id DESC LIMIT 1")).scalar()
    revision = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    return {"counts": counts, "audit_last_hash": last, "alembic_revision": revision}


def _snapshot_files(connection: sa.Connection) -> dict[str, str]:
    """stored name → SHA-256 of every attachment row."""
    rows = connection.execute(sa.text("SELECT stored_name, sha256 FROM attachments ORDER BY stored_name"))
    return {name: sha for name, sha in rows}


def backup(destination: Path, *, upload_dir: Path, now: datetime) -> Path:
    """Write the archive; `destination` is a file name or an existing folder. Returns the archive's path.

    Raises MissingEvidence (and writes nothing) when a row of the snapshot names a file that is not there or not
    what its row says: an archive that a restore would refuse is no backup (`flask tracker check-files` lists
    such files).
    """
    if destination.is_dir():
        destination = destination / f"tracker-backup-{now:%Y%m%d-%H%M%S}.tar.gz"
    engine = db.engine
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        if engine.dialect.name == "sqlite":
            copy, (facts, rows) = folder / SQLITE_COPY, _backup_sqlite(engine, folder / SQLITE_COPY)
        else:
            copy, (facts, rows) = folder / PG_DUMP, _backup_postgres(engine, folder / PG_DUMP)
        sources = _evidence_sources(rows, upload_dir)
        manifest = {"created_at": now.isoformat(), "dialect": engine.dialect.name, **facts,
                    "database_sha256": file_sha256(copy), "files": rows}
        (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        with tarfile.open(destination, "w:gz") as archive:
            for name in sorted(p.name for p in folder.iterdir()):
                archive.add(folder / name, arcname=name)
            for name, path in sources.items():
                archive.add(path, arcname=f"files/{name}")
    destination.chmod(0o600)
    return destination


def _evidence_sources(rows: dict[str, str], upload_dir: Path) -> dict[str, Path]:
    """Where each row's file is: in place, or still under its pending name if the backup's snapshot saw the
    commit but the upload had not yet moved the file into place. Its content must be what the row says."""
    sources, problems = {}, []
    for name, sha in rows.items():
        path = located(upload_dir, name)
        if path is None:
            problems.append(f"{name}:文件缺失")
        elif file_sha256(path) != sha:
            problems.append(f"{name}:内容与记录的 SHA-256 不符")
        else:
            sources[name] = path
    if problems:
        raise MissingEvidence(f"有 {len(problems)} 个佐证文件有问题,未写入备份(运行 flask tracker check-files 查看):"
                              + ";".join(problems[:10]),
                              f"{len(problems)} evidence files are missing or changed; no backup was written")
    return sources


def _sqlite_copy(source: str | Path, target: Path) -> None:
    """SQLite's online backup API: a consistent copy of the whole file even while others write to it."""
    reading = sqlite3.connect(source)
    writing = sqlite3.connect(target)
    try:
        reading.backup(writing)
    finally:
        reading.close()
        writing.close()


def _backup_sqlite(engine: sa.Engine, target: Path) -> tuple[dict[str, Any], dict[str, str]]:
    _sqlite_copy(engine.url.database or "", target)
    snapshot = sa.create_engine(f"sqlite:///{target}", poolclass=sa.NullPool)
    try:
        with snapshot.connect() as connection:
            facts, rows = _snapshot_facts(connection), _snapshot_files(connection)
    finally:
        snapshot.dispose()
    _checkpoint(target)
    return facts, rows


def _checkpoint(path: Path) -> None:
    """Fold a write-ahead log our own connections left back into the file, so the file alone is the copy."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()


def _backup_postgres(engine: sa.Engine, target: Path) -> tuple[dict[str, Any], dict[str, str]]:
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        with connection.begin():
            snapshot_id = connection.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            facts, rows = _snapshot_facts(connection), _snapshot_files(connection)
            subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot_id}",
                            f"--file={target}", _libpq_url(engine.url)], check=True, capture_output=True)
    return facts, rows


def read_manifest(archive_path: Path) -> dict[str, Any]:
    with tarfile.open(archive_path, "r:gz") as archive:
        member = archive.extractfile(MANIFEST)
        if member is None:
            raise Invalid("备份文件中没有清单", "The archive has no manifest", code="bad_archive")
        return json.loads(member.read().decode("utf-8"))


def database_is_empty() -> bool:
    tables = set(sa.inspect(db.engine).get_table_names())
    for table in ("events", "work_items", "units", "users"):
        if table in tables and db.session.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first():
            return False
    return True


def restore(archive_path: Path, *, upload_dir: Path, force: bool) -> RestoreReport:
    """Replace the database and evidence files with an archive's, once the archive has passed every check.

    Raises Invalid for an unreadable archive, a different database kind or a non-empty target without `force`,
    and ArchiveRefused listing every problem found; in all these cases the target is left as it was.
    """
    engine = db.engine
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        manifest = _unpack(archive_path, folder)
        if manifest["dialect"] != engine.dialect.name:
            raise Invalid(f"备份来自 {manifest['dialect']} 数据库,不能恢复到 {engine.dialect.name}",
                          "The archive is of another database kind", code="wrong_dialect")
        if not force and not database_is_empty():
            raise Invalid("目标数据库已有数据,拒绝覆盖;确认覆盖请加 --force",
                          "The database holds data; pass --force to overwrite it", code="not_empty")
        db.session.remove()
        copy = folder / (SQLITE_COPY if engine.dialect.name == "sqlite" else PG_DUMP)
        _check_copy_digest(copy, manifest)
        with _scratch(engine, copy) as scratch:
            report = _check(scratch, manifest, folder / "files")
        staged = _stage(folder / "files", manifest["files"], upload_dir)
        try:
            if engine.dialect.name == "sqlite":
                _sqlite_copy(copy, Path(engine.url.database or ""))
            else:
                _restore_postgres(copy, engine)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
        finally:
            engine.dispose()
        _move_into_place(staged, upload_dir)
    return report


def _unpack(archive_path: Path, folder: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(folder, filter="data")
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        missing = [key for key in ("dialect", "counts", "audit_last_hash", "files") if key not in manifest]
        if missing:
            raise KeyError(", ".join(missing))
        if not isinstance(manifest["files"], dict) or not all(_safe_name(n) for n in manifest["files"]):
            raise ValueError("manifest files are not stored names")
        return manifest
    except (OSError, tarfile.TarError, json.JSONDecodeError, KeyError, ValueError, TypeError) as exc:
        raise Invalid(f"无法读取备份文件:{exc}", f"Cannot read the archive: {exc}", code="bad_archive") from exc


def _safe_name(name: object) -> bool:
    """A stored name is one plain file name: nothing in an archive may write outside the upload folder."""
    return isinstance(name, str) and bool(name) and Path(name).name == name and not name.startswith(".")


def _check_copy_digest(copy: Path, manifest: dict[str, Any]) -> None:
    """Archives since the copy's SHA-256 was recorded: any byte changed in the copy is refused before use."""
    expected = manifest.get("database_sha256")
    if not copy.is_file():
        raise ArchiveRefused([f"备份中没有数据库副本 {copy.name}"])
    if expected is not None and file_sha256(copy) != expected:
        raise ArchiveRefused(["数据库副本的 SHA-256 与清单不符"])


@contextmanager
def _scratch(engine: sa.Engine, copy: Path) -> Iterator[sa.Engine]:
    """An engine on the archive's database away from the target: the unpacked SQLite file itself (checked on a
    copy, so the file restored is the one whose digest was checked), or a new PostgreSQL database on the
    target's server, dropped afterwards."""
    if engine.dialect.name == "sqlite":
        scratch_file = copy.with_name("scratch.sqlite3")
        shutil.copyfile(copy, scratch_file)
        scratch = sa.create_engine(f"sqlite:///{scratch_file}", poolclass=sa.NullPool)
        try:
            yield scratch
        finally:
            scratch.dispose()
        return
    name = f"{engine.url.database}_restore_{uuid.uuid4().hex[:8]}"
    server = sa.create_engine(engine.url, isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
    try:
        with server.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        scratch_url = engine.url.set(database=name)
        scratch = sa.create_engine(scratch_url, poolclass=sa.NullPool)
        try:
            result = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error",
                                     f"--dbname={_libpq_url(scratch_url)}", str(copy)], capture_output=True)
            if result.returncode != 0:
                raise ArchiveRefused([f"数据库副本无法载入:{result.stderr.decode(errors='replace')[:300]}"])
            yield scratch
        finally:
            scratch.dispose()
            with server.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        server.dispose()


def _check(scratch: sa.Engine, manifest: dict[str, Any], files: Path) -> RestoreReport:
    """Every check on the scratch copy; raises ArchiveRefused naming all that fail."""
    problems = []
    with scratch.connect() as connection:
        facts, rows = _snapshot_facts(connection), _snapshot_files(connection)
    expected = manifest["counts"]
    for table in sorted(set(expected) | set(facts["counts"])):
        if facts["counts"].get(table) != expected.get(table):
            problems.append(f"表 {table} 行数 {facts['counts'].get(table)},清单为 {expected.get(table)}")
    with Session(scratch) as session:
        chain = verify_chain(session=session)
    if not chain.ok:
        problems.append(f"审计链在事件 #{chain.first_bad_id} 处断开:{chain.problem}")
    elif chain.last_hash != (manifest["audit_last_hash"] or GENESIS_HASH):
        problems.append("审计链末条哈希与清单不符")
    listed: dict[str, str] = manifest["files"]
    for name, sha in sorted(rows.items()):
        path = files / name
        if not _safe_name(name):
            problems.append(f"附件记录的文件名不合法:{name!r}")
        elif listed.get(name) != sha:
            problems.append(f"{name}:附件记录的 SHA-256 与清单不符")
        elif not path.is_file():
            problems.append(f"{name}:备份中缺少该文件")
        elif file_sha256(path) != sha:
            problems.append(f"{name}:文件内容的 SHA-256 与记录不符")
    problems += [f"{name}:清单中的文件没有附件记录" for name in sorted(set(listed) - set(rows))]
    if problems:
        raise ArchiveRefused(problems)
    return RestoreReport(manifest, facts["counts"], chain.last_hash, len(rows))


def _stage(source: Path, names: dict[str, str], upload_dir: Path) -> Path:
    """Copy the checked files beside their final place (same file system), under a folder of their own."""
    staged = upload_dir / f".restore-{uuid.uuid4().hex[:8]}"
    staged.mkdir(parents=True)
    for name in names:
        shutil.copy2(source / name, staged / name)
    return staged


def _move_into_place(staged: Path, upload_dir: Path) -> None:
    for path in staged.iterdir():
        path.replace(upload_dir / path.name)
    staged.rmdir()


def _restore_postgres(dump: Path, engine: sa.Engine) -> None:
    """One transaction: if pg_restore fails the target keeps what it had."""
    engine.dispose()
    subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                    "--exit-on-error", f"--dbname={_libpq_url(engine.url)}", str(dump)], check=True,
                   capture_output=True)
