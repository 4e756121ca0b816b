"""Progress updates with evidence files (佐证材料).

A file is accepted only when its extension is on the list AND its first bytes are what that kind of file starts
with, so a renamed executable is refused. Files are stored outside any static folder under generated names (the
original name is kept in the database for downloads) with their SHA-256, so evidence can be checked later.

A file is written under `.incoming/` and moved to its final name only after the transaction that records its row
has committed (`transaction.after_commit`); if the transaction ends without a commit it is deleted. So a refused
or failed request leaves no file, and a file in place always has its row. A process killed between the two can
still leave a file in `.incoming/` with no row: `files_report` finds those (`flask tracker check-files`).
"""
from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

import sqlalchemy as sa

from ...errors import Invalid, NotFound, TrackerError
from ... import transaction
from ...extensions import db
from ...models import Attachment, IndicatorReport, ProgressUpdate, User, WorkItem
from ..trust import audit, permissions
from . import item_rules

log = logging.getLogger(__name__)

ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "doc": ("application/msword", (OLE,)),
    "xls": ("application/vnd.ms-excel", (OLE,)),
    "ppt": ("application/vnd.ms-powerpoint", (OLE,)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (ZIP,)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}
PDF = "application/pdf"
PREVIEWABLE = frozenset({PDF, "image/png", "image/jpeg"})
MAX_FILES = 10
CHUNK = 64 * 1024
PENDING_DIR = ".incoming"


def pending_path(folder: Path, stored_name: str) -> Path:
    """Where a file waits until the transaction that records it has committed."""
    return folder / PENDING_DIR / stored_name


class FileTooLarge(TrackerError, status=413, code="file_too_large"):
    """An evidence file over the size allowed (TRACKER_UPLOAD_MAX_BYTES)."""


@dataclass(frozen=True)
class Upload:
    """A file as the web layer hands it over: its name as sent and a readable stream."""

    filename: str
    stream: IO[bytes]


def random_name() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Storage:
    """Where evidence goes. `new_name` names stored files: random in real use; the demo passes a seeded source
    so that replaying the same history stores the same files under the same names."""

    folder: Path
    max_bytes: int
    new_name: Callable[[], str] = random_name

    def finalize(self, stored_name: str) -> None:
        """Move a file from `.incoming/` to its final name; called once its row has committed."""
        try:
            pending_path(self.folder, stored_name).replace(self.folder / stored_name)
        except OSError:
            log.exception("evidence file %s could not be moved into place; check-files will report it", stored_name)

    def discard(self, stored_name: str) -> None:
        """Delete a file still waiting in `.incoming/` (its transaction did not commit)."""
        pending_path(self.folder, stored_name).unlink(missing_ok=True)

    def keep_after_commit(self, stored_name: str) -> None:
        """Queue the file's move into place on commit, and its removal otherwise."""
        transaction.after_commit(lambda: self.finalize(stored_name))
        transaction.after_rollback(lambda: self.discard(stored_name))


def original_name(filename: str) -> str:
    """The file's own name without any folder a browser or script sent along (C:\\docs\\a.pdf → a.pdf) and
    without control characters (PostgreSQL refuses NUL in text)."""
    printable = "".join(c for c in filename if c.isprintable())
    return Path(printable.replace("\\", "/")).name[:255]


def _refused_type(name: str) -> Invalid:
    allowed = ", ".join(sorted(ALLOWED))
    return Invalid(f"不支持的文件类型:{name}(允许 {allowed})", f"File type not allowed: {name} ({allowed})",
                   code="file_type_refused", fields={"files": [f"{name}:类型不允许"]})


KIND_NAMES = {"pdf": ("PDF 文件", "a PDF"), "png": ("PNG 图片", "a PNG image"), "jpg": ("JPEG 图片", "a JPEG image"),
              "doc": ("旧版 Office 文档", "an old Office document"), "docx": ("Office 文档", "an Office document")}
KIND_OF = {"jpeg": "jpg", "xls": "doc", "ppt": "doc", "xlsx": "docx", "pptx": "docx"}


def _not_what_it_says(name: str, extension: str, head: bytes) -> Invalid:
    """A file whose first bytes are not what its name claims ("伪装.pdf" holding an executable): say what its
    name says and what its content is, rather than calling an allowed type not allowed. The code stays
    file_type_refused, which programs already read."""
    claimed = KIND_NAMES[KIND_OF.get(extension, extension)]
    found = next((KIND_NAMES[KIND_OF.get(ext, ext)] for ext, (_type, magics) in ALLOWED.items()
                  if any(head.startswith(magic) for magic in magics)), None)
    zh = f"内容是{found[0]}" if found else "内容不是任何允许的类型"
    en = f"its content is {found[1]}" if found else "its content is none of the allowed types"
    return Invalid(f"文件 {name} 的名字表明是{claimed[0]},但按内容判断不是:{zh}。请上传原文件",
                   f"{name} is named as {claimed[1]} but is not one: {en}. Please upload the original file",
                   code="file_type_refused", fields={"files": [f"{name}:{zh}"]})


def store_file(upload: Upload, storage: Storage) -> tuple[str, str, int, str]:
    """Check and write one file; returns (stored name, content type, size, sha256). Removes it on refusal."""
    name = original_name(upload.filename)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED:
        raise _refused_type(name or "?")
    content_type, magics = ALLOWED[extension]
    head = upload.stream.read(16)
    if not any(head.startswith(magic) for magic in magics):
        raise _not_what_it_says(name, extension, head)
    stored = storage.new_name()
    path = pending_path(storage.folder, stored)
    path.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(head), len(head)
    try:
        with path.open("xb") as out:
            out.write(head)
            while chunk := upload.stream.read(CHUNK):
                size += len(chunk)
                if size > storage.max_bytes:
                    raise FileTooLarge(f"文件 {name} 超过 {storage.max_bytes // (1024 * 1024)} MB 的限制",
                                       f"{name} is over the {storage.max_bytes // (1024 * 1024)} MB limit",
                                       fields={"files": [f"{name}:文件过大"]})
                digest.update(chunk)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return stored, content_type, size, digest.hexdigest()


def check_file_count(files: list[Upload]) -> None:
    if len(files) > MAX_FILES:
        raise Invalid(f"一次最多上传 {MAX_FILES} 个文件", f"At most {MAX_FILES} files at once",
                      fields={"files": [f"最多 {MAX_FILES} 个"]})


def add_update(item: WorkItem, *, actor: User, text: str, percent: int | None, files: list[Upload],
               storage: Storage, now: datetime) -> ProgressUpdate:
    """A progress note on a card the actor's unit leads or cooperates on, with evidence files; audited. Not on
    done cards."""
    item_rules.require(actor, item, "progress")
    update = ProgressUpdate(item_id=item.id, author_id=actor.id, at=now, text=text, percent=percent)
    evidence = attach(update, item=item, actor=actor, files=files, storage=storage, now=now)
    audit.record(actor=actor, action="item.progress", entity_type="progress_update", entity_id=update.id,
                 item_id=item.id, after={"text": text, "percent": percent, "files": evidence}, now=now)
    return update


def attach(update: ProgressUpdate, *, item: WorkItem, actor: User, files: list[Upload], storage: Storage,
           now: datetime) -> list[dict[str, str]]:
    """Store a new update (a progress note or a closing report) with its evidence files (see store_evidence)."""
    check_file_count(files)
    db.session.add(update)
    db.session.flush()
    return store_evidence(files, storage=storage, actor=actor, now=now, item_id=item.id, update_id=update.id)


def store_evidence(files: list[Upload], *, storage: Storage, actor: User, now: datetime,
                   **owner: int) -> list[dict[str, str]]:
    """Store files as attachments of their owner (`item_id` and `update_id`, or `indicator_report_id`); returns
    what an audit event records of them. Files already written are removed again if a later file is refused, so
    a refusal leaves nothing behind; the files move into place when the caller's transaction commits, and are
    deleted if it does not."""
    written: list[str] = []
    evidence: list[dict[str, str]] = []
    try:
        for upload in files:
            stored, content_type, size, sha256 = store_file(upload, storage)
            written.append(stored)
            original = original_name(upload.filename)
            evidence.append({"name": original, "sha256": sha256})
            db.session.add(Attachment(**owner, uploaded_by_id=actor.id, at=now, original_name=original,
                                      stored_name=stored, content_type=content_type, size=size, sha256=sha256))
        db.session.flush()
    except BaseException:
        for stored in written:
            storage.discard(stored)
        raise
    for stored in written:
        storage.keep_after_commit(stored)
    return evidence


def updates_of(item: WorkItem) -> list[tuple[ProgressUpdate, list[Attachment]]]:
    """The item's updates, newest first, each with its files: two queries."""
    updates = list(db.session.scalars(sa.select(ProgressUpdate).where(ProgressUpdate.item_id == item.id)
                                      .order_by(ProgressUpdate.id.desc())))
    files: dict[int | None, list[Attachment]] = {}
    for attachment in db.session.scalars(sa.select(Attachment).where(Attachment.item_id == item.id)
                                         .order_by(Attachment.id)):
        files.setdefault(attachment.update_id, []).append(attachment)
    return [(update, files.get(update.id, [])) for update in updates]


def attachment_for(attachment_id: int, *, actor: User) -> Attachment:
    """An attachment of an item, or of an indicator figure, the actor may see; otherwise not found."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or not _may_see(actor, attachment):
        raise NotFound("附件不存在或无权查看", "Attachment not found", code="attachment_not_found")
    return attachment


def _may_see(actor: User, attachment: Attachment) -> bool:
    if attachment.item_id is not None:
        item = db.session.get(WorkItem, attachment.item_id)
        return item is not None and permissions.can_see_item(actor, item)
    figure = db.session.get(IndicatorReport, attachment.indicator_report_id)
    return figure is not None and permissions.can_see_unit_figures(actor, figure.unit_id)


def previewable(attachment: Attachment) -> bool:
    """Whether a browser may show the file inline: images and PDFs, never a type that runs script."""
    return attachment.content_type in PREVIEWABLE


def is_pdf(attachment: Attachment) -> bool:
    return attachment.content_type == PDF


def is_image(attachment: Attachment) -> bool:
    return attachment.content_type.startswith("image/") and previewable(attachment)


@dataclass
class FilesReport:
    """The upload folder against the `attachments` rows."""

    orphans: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Orphans are clutter; a row without its file, or with a different one, is lost evidence."""
        return not self.missing and not self.changed


ORPHAN_GRACE = timedelta(days=1)


def files_report(folder: Path, *, now: datetime, remove_orphans: bool = False) -> FilesReport:
    """Files with no row (orphans, in place or left in `.incoming/`), rows with no file or a file whose SHA-256
    is not the row's. With `remove_orphans`, orphans older than a day are deleted (a younger one may belong to an
    upload still in progress)."""
    rows = dict(db.session.execute(sa.select(Attachment.stored_name, Attachment.sha256)).all())
    report = FilesReport()
    on_disk = [p for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []
    incoming = folder / PENDING_DIR
    on_disk += [p for p in incoming.iterdir() if p.is_file()] if incoming.is_dir() else []
    for path in sorted(on_disk):
        if path.name not in rows or (path.parent == incoming and (folder / path.name).is_file()):
            report.orphans.append(path)
    for name, sha in sorted(rows.items()):
        found = located(folder, name)
        if found is None:
            report.missing.append(name)
        elif file_sha256(found) != sha:
            report.changed.append(name)
    if remove_orphans:
        cutoff = (now - ORPHAN_GRACE).timestamp()
        for path in report.orphans:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                report.removed.append(path)
    return report


def located(folder: Path, stored_name: str) -> Path | None:
    """A row's file: in place, or still in `.incoming/` in the instant between its commit and its move."""
    return next((p for p in (folder / stored_name, pending_path(folder, stored_name)) if p.is_file()), None)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()
