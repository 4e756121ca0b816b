"""Units: the tree of governments and departments."""
from __future__ import annotations

from typing import Any

from ..services.plan import units
from .common import api_blueprint, errors
from ..schemas.plans import UnitOut

blp = api_blueprint("units", "The unit tree")


@blp.route("/units")
@blp.response(200, UnitOut(many=True))
@errors(blp)
def list_units() -> list[dict[str, Any]]:
    return units.tree()


@blp.route("/units/<id:unit_id>")
@blp.response(200, UnitOut)
@errors(blp, 404)
def get_unit(unit_id: int) -> dict[str, Any]:
    return units.get_unit(unit_id)
