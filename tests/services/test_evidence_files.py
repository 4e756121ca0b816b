"""Evidence files and their rows stay in step: a file is in place only once its row has committed, a transaction
that does not commit leaves no file, and check-files names what a crash or a hand left behind."""
from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Attachment, ItemStatus, Role
from tracker.services.work import progress

PDF = b"%PDF-1.4 evidence"


@pytest.fixture
def storage(tmp_path: Path) -> progress.Storage:
    return progress.Storage(folder=tmp_path / "files", max_bytes=1 << 20)


@pytest.fixture
def posted(make_item, make_user, now, storage):
    """A progress update with two files, flushed but not yet committed; returns their stored names."""
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    clerk = make_user(Role.UNIT_ADMIN, "sfj")
    db.session.commit()
    uploads = [progress.Upload(f"材料{n}.pdf", io.BytesIO(PDF + bytes([n]))) for n in range(2)]
    progress.add_update(item, actor=clerk, text="进展", percent=10, files=uploads, storage=storage, now=now)
    return list(db.session.scalars(sa.select(Attachment.stored_name).where(Attachment.item_id == item.id)))


def files_in(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


def test_an_upload_is_in_place_only_after_its_row_commits(posted, storage):
    assert not any((storage.folder / name).exists() for name in posted)
    db.session.commit()
    assert files_in(storage.folder) == set(posted)


def test_an_upload_whose_transaction_rolls_back_leaves_no_file(posted, storage):
    assert len(posted) == 2
    db.session.rollback()
    assert files_in(storage.folder) == set()


def test_check_files_names_orphans_and_missing_files_and_removes_only_old_orphans(app, posted, storage, now):
    db.session.commit()
    killed = progress.pending_path(storage.folder, "cut-short-by-kill-9")
    killed.write_bytes(b"%PDF-1.4 half")
    stray = storage.folder / "no-row.pdf"
    stray.write_bytes(b"%PDF-1.4 no row")
    day_old = (now - timedelta(days=2)).timestamp()
    os.utime(killed, (day_old, day_old))
    (storage.folder / posted[0]).unlink()
    (storage.folder / posted[1]).write_bytes(b"%PDF-1.4 changed by hand")

    report = progress.files_report(storage.folder, now=now)
    assert set(report.orphans) == {killed, stray}
    assert report.missing == [posted[0]] and report.changed == [posted[1]] and not report.ok

    cleaned = progress.files_report(storage.folder, now=now, remove_orphans=True)
    assert cleaned.removed == [killed]
    assert not killed.exists() and stray.exists()


def test_check_files_command_names_a_missing_file_and_exits_1(app, make_item, make_user, now):
    storage = progress.Storage(folder=Path(app.config["TRACKER_UPLOAD_DIR"]), max_bytes=1 << 20)
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    progress.add_update(item, actor=make_user(Role.UNIT_ADMIN, "sfj"), text="进展", percent=None,
                        files=[progress.Upload("材料.pdf", io.BytesIO(PDF))], storage=storage, now=now)
    db.session.commit()
    stored = db.session.scalars(sa.select(Attachment.stored_name).where(Attachment.item_id == item.id)).one()
    (storage.folder / stored).unlink()
    result = app.test_cli_runner().invoke(args=["tracker", "check-files"])
    assert result.exit_code == 1
    assert f"缺失的文件(有记录无文件):{stored}" in result.output
