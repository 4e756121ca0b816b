"""The unit tree, read by everyone who is signed in (names of units are not secret within the city)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from ...errors import NotFound
from ...extensions import db
from ...models import Unit


def _as_dict(unit: Unit) -> dict[str, Any]:
    return {"id": unit.id, "key": unit.key, "name": unit.name, "short_name": unit.short_name, "kind": unit.kind,
            "parent_id": unit.parent_id, "children": []}


def tree() -> list[dict[str, Any]]:
    """All units as nested dicts, roots first, children in id order: one query."""
    nodes = {u.id: _as_dict(u) for u in db.session.scalars(sa.select(Unit).order_by(Unit.id))}
    roots: list[dict[str, Any]] = []
    for node in nodes.values():
        parent = nodes.get(node["parent_id"])
        (parent["children"] if parent else roots).append(node)
    return roots


def short_names(unit_ids: Iterable[int | None]) -> dict[int, str]:
    """Units by the name people use (市公安局, not a key like unit:gaj): one query."""
    wanted = {unit_id for unit_id in unit_ids if unit_id is not None}
    if not wanted:
        return {}
    return {row.id: row.short_name
            for row in db.session.execute(sa.select(Unit.id, Unit.short_name).where(Unit.id.in_(wanted)))}


def get_unit(unit_id: int) -> dict[str, Any]:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("单位不存在", "Unit not found", code="unit_not_found")
    node = _as_dict(unit)
    node["children"] = [_as_dict(c) for c in unit.children]
    return node
