"""The office's queues, and a district's review of the parts it split to its townships: what waits for a
decision. Reads only; the decisions go through workflow.move and extensions.decide, like every other caller's."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import (
    AccountabilityRecord,
    Attachment,
    ExtensionRequest,
    ExtensionStatus,
    ItemStatus,
    ProgressUpdate,
    Unit,
    User,
    WorkItem,
)
from ..plan import wording
from ..trust import permissions
from . import evidence


def pending_extensions(*, actor: User, limit: int = 200) -> list[dict[str, Any]]:
    """Extension requests waiting for a decision, oldest first, with their card's title and unit: one query."""
    permissions.require_office(actor)
    rows = db.session.execute(
        sa.select(ExtensionRequest, wording.title_column(), WorkItem.version, Unit.short_name)
        .join(WorkItem, WorkItem.id == ExtensionRequest.item_id).join(Unit, Unit.id == WorkItem.unit_id)
        .where(ExtensionRequest.status == ExtensionStatus.PENDING)
        .order_by(ExtensionRequest.requested_at, ExtensionRequest.id).limit(limit)).all()
    return [{"request": r, "title": title, "version": version, "unit_name": unit} for r, title, version, unit in rows]


@dataclass
class ReviewFile:
    """The items the office reads before deciding on a submission."""

    report: ProgressUpdate | None = None
    reporter: str = ""
    files: list[Attachment] = field(default_factory=list)
    records: list[AccountabilityRecord] = field(default_factory=list)
    no_evidence: bool = False  # no file on the item at all, neither with the report nor with its progress


def review_files(item_ids: list[int], *, actor: User) -> dict[int, ReviewFile]:
    """For each submitted item the actor may see: its latest closing report with who wrote it and its evidence,
    whether the item has no evidence at all (the queue marks it), and its accountability records, so the reviewer
    approves with the work in view. Four queries for the whole queue."""
    item_ids = list(db.session.scalars(sa.select(WorkItem.id).where(
        WorkItem.id.in_(item_ids), permissions.visible_items_clause(actor)))) if item_ids else []
    found = {item_id: ReviewFile() for item_id in item_ids}
    if not item_ids:
        return found
    reports = db.session.execute(
        sa.select(ProgressUpdate, User.display_name).join(User, User.id == ProgressUpdate.author_id)
        .where(ProgressUpdate.item_id.in_(item_ids), ProgressUpdate.is_closing_report.is_(True))
        .order_by(ProgressUpdate.id)).all()
    for report, reporter in reports:
        found[report.item_id].report, found[report.item_id].reporter = report, reporter
    latest = {entry.report.id for entry in found.values() if entry.report}
    for attachment in db.session.scalars(sa.select(Attachment).where(Attachment.update_id.in_(latest))
                                         .order_by(Attachment.id)):
        assert attachment.item_id is not None  # an update's files carry its item
        found[attachment.item_id].files.append(attachment)
    for record in db.session.scalars(sa.select(AccountabilityRecord)
                                     .where(AccountabilityRecord.item_id.in_(item_ids))
                                     .order_by(AccountabilityRecord.issued_at, AccountabilityRecord.id)):
        found[record.item_id].records.append(record)
    for item_id in evidence.items_without_evidence(item_ids):
        found[item_id].no_evidence = True
    return found


def children_waiting(*, actor: User) -> list[tuple[str, int]]:
    """For the office: the townships' parts waiting for their districts' review, counted by district. They are
    the districts' queue, not the office's (it may still decide them, as supervisor of all)."""
    permissions.require_office(actor)
    parent = aliased(WorkItem)
    return [(name, count) for name, count in db.session.execute(
        sa.select(Unit.short_name, sa.func.count()).select_from(WorkItem)
        .join(parent, parent.id == WorkItem.parent_id).join(Unit, Unit.id == parent.unit_id)
        .where(WorkItem.status == ItemStatus.SUBMITTED, WorkItem.cancelled_at.is_(None))
        .group_by(Unit.id, Unit.short_name).order_by(Unit.id))]
