"""The office's outgoing webhooks: register a URL for a unit or for all with the events it wants, switch one
off or on, rotate its secret, and read the delivery log (status, response time, error). A secret is on the page
only in the answer that made it; afterwards its last characters."""
from __future__ import annotations

from flask import Blueprint, Response, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..clock import utcnow
from ..models import Webhook
from ..services.ledger import notifications, webhooks
from ..schemas import page_forms
from ..settings import settings
from . import forms
from .access import office_only
from .helpers import unit_options
from .htmx import render

bp = Blueprint("hooks", __name__, url_prefix="/office/webhooks")


@bp.route("/")
@office_only
def index() -> Response:
    return _page()


def _page(shown: Webhook | None = None) -> Response:
    """The page; `shown` is a hook whose new secret this one answer shows (registered or rotated just now)."""
    return render("webhooks/page.html", hooks=webhooks.list_hooks(actor=current_user),
                  log=webhooks.attempts_log(actor=current_user), kinds=notifications.KINDS,
                  unit_choices=unit_options(current_user), shown=shown, hint=webhooks.secret_hint)


@bp.route("/", methods=["POST"])
@office_only
def register() -> Response:
    data = forms.form(page_forms.WebhookForm())
    hook = webhooks.register(actor=current_user, url=data["url"], events=data["events"], unit_id=data["unit_id"],
                             now=utcnow(), kinds=notifications.KINDS,
                             allow=settings().webhook_allow)
    return _page(shown=hook)


@bp.route("/<id:hook_id>/secret", methods=["POST"])
@office_only
def rotate_secret(hook_id: int) -> Response:
    hook = webhooks.rotate_secret(webhooks.get_hook(hook_id, actor=current_user), actor=current_user, now=utcnow())
    return _page(shown=hook)


@bp.route("/<id:hook_id>/active", methods=["POST"])
@office_only
def set_active(hook_id: int) -> Response:
    active = forms.form(page_forms.ActiveForm())["active"]
    webhooks.set_active(webhooks.get_hook(hook_id, actor=current_user), actor=current_user, active=active,
                        now=utcnow())
    flash(_("Webhook switched on.") if active else _("Webhook switched off."))
    return forms.finished(url_for("hooks.index"))
