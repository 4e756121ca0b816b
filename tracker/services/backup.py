"""Backup and restore: one archive with a consistent copy of the database, the evidence files and a manifest.

The copy is consistent while the app serves: SQLite's online backup API copies a snapshot; for PostgreSQL the
counts and the audit chain's last hash are read in a REPEATABLE READ transaction whose snapshot pg_dump then
shares (`--snapshot`), so the manifest describes exactly what was dumped. Files are copied after the snapshot:
an attachment's file is written before its row commits, so every row in the copy has its file.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ..errors import Invalid
from ..extensions import db
from .audit import verify_chain

MANIFEST = "manifest.json"
COUNTED = ("units", "users", "plans", "tasks", "work_items", "events", "attachments", "progress_updates",
           "accountability_records", "digests")


@dataclass(frozen=True)
class RestoreReport:
    manifest: dict[str, Any]
    counts: dict[str, int]
    chain_ok: bool
    last_hash: str


def _libpq_url(url: sa.URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _snapshot_facts(connection: sa.Connection) -> dict[str, Any]:
    tables = set(sa.inspect(connection).get_table_names())
    counts = {t: connection.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
              for t in COUNTED if t in tables}
    last = connection.execute(sa.text("SELECT hash FROM events ORDER BY id DESC LIMIT 1")).scalar()
    revision = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    return {"counts": counts, "audit_last_hash": last, "alembic_revision": revision}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(destination: Path, *, upload_dir: Path, now: datetime) -> Path:
    """Write the archive; `destination` is a file name or an existing folder. Returns the archive's path."""
    if destination.is_dir():
        destination = destination / f"tracker-backup-{now:%Y%m%d-%H%M%S}.tar.gz"
    engine = db.engine
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        if engine.dialect.name == "sqlite":
            facts = _backup_sqlite(engine, folder / "database.sqlite3")
        else:
            facts = _backup_postgres(engine, folder / "database.pgdump")
        files = sorted(p for p in upload_dir.rglob("*") if p.is_file()) if upload_dir.exists() else []
        manifest = {"created_at": now.isoformat(), "dialect": engine.dialect.name, **facts,
                    "files": {str(p.relative_to(upload_dir)): _sha256(p) for p in files}}
        (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        with tarfile.open(destination, "w:gz") as archive:
            for name in sorted(p.name for p in folder.iterdir()):
                archive.add(folder / name, arcname=name)
            for path in files:
                archive.add(path, arcname=f"files/{path.relative_to(upload_dir)}")
    destination.chmod(0o600)
    return destination


def _backup_sqlite(engine: sa.Engine, target: Path) -> dict[str, Any]:
    source = sqlite3.connect(engine.url.database or "")
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    snapshot = sa.create_engine(f"sqlite:///{target}")
    try:
        with snapshot.connect() as connection:
            return _snapshot_facts(connection)
    finally:
        snapshot.dispose()


def _backup_postgres(engine: sa.Engine, target: Path) -> dict[str, Any]:
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        with connection.begin():
            snapshot_id = connection.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            facts = _snapshot_facts(connection)
            subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot_id}",
                            f"--file={target}", _libpq_url(engine.url)], check=True, capture_output=True)
    return facts


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
    """Replace the database and files with an archive's. Refuses a database holding data unless `force`.

    Raises Invalid for an unreadable archive, a different database kind, or a non-empty target.
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
        if engine.dialect.name == "sqlite":
            _restore_sqlite(folder / "database.sqlite3", Path(engine.url.database or ""))
        else:
            _restore_postgres(folder / "database.pgdump", engine)
        engine.dispose()
        _restore_files(folder / "files", upload_dir)
    with engine.connect() as connection:
        facts = _snapshot_facts(connection)
    chain = verify_chain()
    db.session.remove()
    return RestoreReport(manifest, facts["counts"], chain.ok, chain.last_hash)


def _unpack(archive_path: Path, folder: Path) -> dict[str, Any]:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            archive.extractall(folder, filter="data")
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, tarfile.TarError, json.JSONDecodeError, KeyError) as exc:
        raise Invalid(f"无法读取备份文件:{exc}", f"Cannot read the archive: {exc}", code="bad_archive") from exc


def _restore_sqlite(copy: Path, target: Path) -> None:
    source = sqlite3.connect(copy)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        source.close()
        destination.close()


def _restore_postgres(dump: Path, engine: sa.Engine) -> None:
    engine.dispose()
    subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                    f"--dbname={_libpq_url(engine.url)}", str(dump)], check=True, capture_output=True)


def _restore_files(source: Path, upload_dir: Path) -> None:
    if not source.exists():
        return
    for path in source.rglob("*"):
        if path.is_file():
            target = upload_dir / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
