"""Many items for the bulk decisions' tests (issue 22): the shipped plan's items put in a column at once, and the
audit trail's length to count what a bulk decision wrote."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Event, ItemStatus, WorkItem

NOW = datetime(2023, 4, 3, 2, 0, tzinfo=timezone.utc)  # tests/conftest.py's NOW


def plan_items(count: int, status: ItemStatus) -> list[WorkItem]:
    """`count` of the shipped plan's open items (lowest ids first) put straight into a column, as if their units had
    moved them there: one UPDATE, since the workflow's own path is tested on its own and would store a closing
    report's file per item. Their versions are what the office's board would show."""
    ids = list(db.session.scalars(sa.select(WorkItem.id).where(
        WorkItem.parent_id.is_(None), WorkItem.cancelled_at.is_(None), WorkItem.status != ItemStatus.DONE)
        .order_by(WorkItem.id).limit(count)))
    assert len(ids) == count
    db.session.execute(sa.update(WorkItem).where(WorkItem.id.in_(ids)).values(
        status=status, submitted_at=NOW if status == ItemStatus.SUBMITTED else None))
    db.session.expire_all()
    return list(db.session.scalars(sa.select(WorkItem).where(WorkItem.id.in_(ids)).order_by(WorkItem.id)))


def event_count() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar_one()


def body(found: list[WorkItem], **fields: object) -> dict[str, object]:
    """An API body naming each item with the version the office sees now."""
    return {"items": [{"id": item.id, "version": item.version} for item in found], **fields}
