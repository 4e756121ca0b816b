"""Notifications (站内通知): the page listing them, opening one (read, then on to its item), reading all; and
the bell's count in the header (helpers.unread_notifications)."""
from __future__ import annotations

from flask import Blueprint, Response, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..clock import utcnow
from ..services.ledger import notifications
from . import forms
from .htmx import render

bp = Blueprint("inbox", __name__)
PAGE = 100


@bp.route("/notifications")
@login_required
def index() -> Response:
    return render("notifications/page.html", "notifications/_list.html",
                  found=notifications.list_for(actor=current_user, limit=PAGE))


@bp.route("/notifications/<id:notification_id>/open", methods=["POST"])
@login_required
def open_one(notification_id: int) -> Response:
    """Mark it read and go to its item, the indicators for a figure's news, the missed reports for a
    missed-report notice on several items, or back to the list otherwise."""
    found = notifications.mark_read(notifications.get_notification(notification_id, actor=current_user),
                                    actor=current_user, now=utcnow())
    if found.item_id:
        target = url_for("cards.detail", item_id=found.item_id)
    elif found.kind in notifications.INDICATOR_KINDS:
        target = url_for("indicator_pages.show")
    elif found.kind == notifications.MISSED_REPORT:  # several items: the unit's missed reports list them
        target = url_for("periodic.show")
    else:
        target = url_for("inbox.index")
    return forms.finished(target + ("#records" if found.record_id else ""))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all() -> Response:
    notifications.mark_all_read(actor=current_user, now=utcnow())
    flash(_("All notifications marked as read."))
    return forms.finished(url_for("inbox.index"))
