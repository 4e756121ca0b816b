"""The unit tree, read by everyone who is signed in (names of units are not secret within the city)."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ..errors import NotFound
from ..extensions import db
from ..models import Unit


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


def get_unit(unit_id: int) -> dict[str, Any]:
    unit = db.session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("单位不存在", "Unit not found", code="unit_not_found")
    node = _as_dict(unit)
    node["children"] = [_as_dict(c) for c in unit.children]
    return node
