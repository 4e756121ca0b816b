"""Notifications (站内通知): the caller's own and their unit's; and the to-do list (我的待办)."""
from __future__ import annotations

from typing import Any


from ..clock import utcnow
from ..models import Notification
from ..services.ledger import notifications, todo
from .auth import actor
from .common import api_blueprint, errors
from ..schemas.notifications import CountOut, NotificationOut, NotificationQueryArgs, TodoSectionOut
from ..settings import settings

blp = api_blueprint("notifications", "Notifications (站内通知) and the to-do list (我的待办)")


@blp.route("/todo")
@blp.response(200, TodoSectionOut(many=True))
@errors(blp)
def get_todo() -> list[todo.Section]:
    """What waits for the caller, in sections; a leader's list is empty."""
    return todo.todo(actor=actor(), now=utcnow(), timezone=settings().timezone,
                     soon_days=settings().warning_days)


@blp.route("/notifications")
@blp.arguments(NotificationQueryArgs, location="query")
@blp.response(200, NotificationOut(many=True))
@errors(blp)
def list_notifications(args: dict[str, Any]) -> list[Notification]:
    """The caller's and their unit's notifications, newest first."""
    return notifications.list_for(actor=actor(), unread_only=args["unread"], limit=args["limit"],
                                  offset=args["offset"])


@blp.route("/notifications/unread-count")
@blp.response(200, CountOut)
@errors(blp)
def unread_count() -> dict[str, int]:
    return {"count": notifications.unread_count(actor=actor())}


@blp.route("/notifications/<id:notification_id>/read", methods=["POST"])
@blp.response(200, NotificationOut)
@errors(blp, 403, 404)
def mark_read(notification_id: int) -> Notification:
    """Read; a unit's notification is read for the whole unit by its first reader."""
    found = notifications.mark_read(notifications.get_notification(notification_id, actor=actor()),
                                    actor=actor(), now=utcnow())
    return found


@blp.route("/notifications/read-all", methods=["POST"])
@blp.response(200, CountOut)
@errors(blp, 403)
def mark_all_read() -> dict[str, int]:
    count = notifications.mark_all_read(actor=actor(), now=utcnow())
    return {"count": count}
