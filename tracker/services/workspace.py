"""The office's queues: what waits for its decision. Reads only; the decisions go through workflow.move and
extensions.decide, like every other caller's."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import ExtensionRequest, ExtensionStatus, Unit, User, WorkItem
from . import permissions


def pending_extensions(*, actor: User, limit: int = 200) -> list[dict[str, Any]]:
    """Extension requests waiting for a decision, oldest first, with their card's title and unit: one query."""
    permissions.require_office(actor)
    rows = db.session.execute(
        sa.select(ExtensionRequest, WorkItem.title, WorkItem.version, Unit.short_name)
        .join(WorkItem, WorkItem.id == ExtensionRequest.item_id).join(Unit, Unit.id == WorkItem.unit_id)
        .where(ExtensionRequest.status == ExtensionStatus.PENDING)
        .order_by(ExtensionRequest.requested_at, ExtensionRequest.id).limit(limit)).all()
    return [{"request": r, "title": title, "version": version, "unit_name": unit} for r, title, version, unit in rows]
