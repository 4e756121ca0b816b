"""Backup while the app writes, restore into an empty database: counts, files and the audit chain identical."""
from __future__ import annotations

import csv
import hashlib
import io
import threading
from pathlib import Path

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Attachment, Event, Role, Unit, WorkItem
from tracker.services import accounts, audit, backup


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
