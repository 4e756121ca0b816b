"""The office's outgoing webhooks: register a URL for a unit or for all with the events it wants, switch one
off or on, and read the delivery log (status, response time, error)."""
from __future__ import annotations

from flask import Blueprint, Response, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..clock import utcnow
from ..services import notifications, webhooks
from . import forms, schemas
from .access import office_only
from .helpers import unit_options
from .htmx import render

bp = Blueprint("hooks", __name__, url_prefix="/office/webhooks")


@bp.route("/")
@office_only
def index() -> Response:
    return render("webhooks/page.html", hooks=webhooks.list_hooks(actor=current_user),
                  log=webhooks.attempts_log(actor=current_user), kinds=notifications.KINDS,
                  unit_choices=unit_options(current_user))


@bp.route("/", methods=["POST"])
@office_only
def register() -> Response:
    data = forms.form(schemas.WebhookForm())
    hook = webhooks.register(actor=current_user, url=data["url"], events=data["events"], unit_id=data["unit_id"],
                             now=utcnow(), kinds=notifications.KINDS)
    flash(_("Webhook %(id)d registered.", id=hook.id))
    return forms.finished(url_for("hooks.index"))


@bp.route("/<id:hook_id>/active", methods=["POST"])
@office_only
def set_active(hook_id: int) -> Response:
    active = forms.form(schemas.ActiveForm())["active"]
    webhooks.set_active(webhooks.get_hook(hook_id, actor=current_user), actor=current_user, active=active,
                        now=utcnow())
    flash(_("Webhook switched on.") if active else _("Webhook switched off."))
    return forms.finished(url_for("hooks.index"))
