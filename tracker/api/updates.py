"""Progress updates with evidence files (multipart), and an item's list of them."""
from __future__ import annotations

from typing import Any

from ..clock import utcnow
from ..services.work import progress
from ..settings import storage
from .auth import actor
from .common import api_blueprint, errors, visible_item
from .parsing import MULTIPART
from ..schemas.progress import ProgressIn, ProgressOut

blp = api_blueprint("updates", "Progress updates and evidence files")
UPDATE_FIELDS = tuple(name for name in ProgressOut().fields if name != "attachments")


def _shaped(update: Any, files: list[Any]) -> dict[str, Any]:
    return {**{k: getattr(update, k) for k in UPDATE_FIELDS}, "attachments": files}


@blp.route("/items/<id:item_id>/updates", methods=["POST"])
@blp.arguments(ProgressIn, location=MULTIPART)
@blp.response(201, ProgressOut)
@errors(blp, 403, 404, 413)
def add_update(data: dict[str, Any], item_id: int) -> dict[str, Any]:
    """A progress note (text, percent) with evidence files; refused types and oversized files change nothing."""
    item = visible_item(item_id)
    update = progress.add_update(item, actor=actor(), text=data["text"], percent=data.get("percent"),
                                 files=data["files"], storage=storage(), now=utcnow())
    return _shaped(update, progress.updates_of(item)[0][1])


@blp.route("/items/<id:item_id>/updates")
@blp.response(200, ProgressOut(many=True))
@errors(blp, 404)
def list_updates(item_id: int) -> list[dict[str, Any]]:
    return [_shaped(update, files) for update, files in progress.updates_of(visible_item(item_id))]
