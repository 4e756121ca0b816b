"""Reaching people on the web: each person's own channels (`/account/channels`), a unit's group robots (the office
or the unit's admin, `/units/<id>/robots`), and the read link a message carries (`/r/<token>`): followed by the
person it was sent to, signed in, it stamps the message read, then leads to the item (with no one signed in, it
asks for the sign-in first)."""
from __future__ import annotations

from typing import cast

from flask import Blueprint, Response, flash, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..clock import utcnow
from ..extensions import db, login_manager
from ..models import Notification
from ..schemas import page_forms
from ..services.ledger import reach, reach_config
from ..settings import settings
from . import forms
from .access import roles
from .helpers import unit_options
from .htmx import render
from ..models import Role

bp = Blueprint("reach", __name__)
TOKEN_LIMIT = 80
configurers = roles(frozenset({Role.OFFICE_ADMIN, Role.UNIT_ADMIN}))
CHANNEL_LABELS = {"wecom": _l("WeCom (政务微信) group robot"), "dingtalk": _l("DingTalk (浙政钉) group robot"),
                  "feishu": _l("Feishu group robot"), "sms": _l("SMS")}


@bp.app_context_processor
def channel_words() -> dict[str, object]:
    return {"channel_label": lambda code: str(CHANNEL_LABELS.get(code, code))}


@bp.route("/account/channels")
@login_required
def channels() -> Response:
    return render("reach/channels.html", choice=reach_config.choice_of(current_user),
                  robots=reach_config.active_kinds(current_user.unit_id), sms=settings().sms is not None,
                  all_channels=reach_config.CHANNELS,
                  configures=reach_config.may_configure(current_user, current_user.unit_id))


@bp.route("/account/channels", methods=["POST"])
@login_required
def choose() -> Response:
    data = forms.form(page_forms.ChannelsForm())
    reach_config.choose(actor=current_user, channels=data["channels"], mobile=data["mobile"], now=utcnow())
    flash(_("Your channels were saved."))
    return forms.finished(url_for("reach.channels"))


@bp.route("/units/<id:unit_id>/robots")
@configurers
def robots(unit_id: int) -> Response:
    unit = reach_config.require_configure(current_user, unit_id)
    return render("reach/robots.html", unit=unit, robots=reach_config.robots_of(unit_id), mask=reach_config.mask,
                  kinds=reach_config.ROBOTS,
                  other_units=unit_options(current_user) if current_user.role == Role.OFFICE_ADMIN else [])


@bp.route("/units/<id:unit_id>/robots", methods=["POST"])
@configurers
def configure(unit_id: int) -> Response:
    reach_config.require_configure(current_user, unit_id)  # refused before its form is read
    data = forms.form(page_forms.RobotForm())
    reach_config.configure(actor=current_user, unit_id=unit_id, kind=data["kind"], url=data["url"],
                           secret=data["secret"], now=utcnow(), allow=settings().webhook_allow)
    flash(_("The robot was saved."))
    return forms.finished(url_for("reach.robots", unit_id=unit_id))


@bp.route("/units/<id:unit_id>/robots/off", methods=["POST"])
@configurers
def switch_off(unit_id: int) -> Response:
    reach_config.require_configure(current_user, unit_id)
    data = forms.form(page_forms.KindForm())
    reach_config.switch_off(actor=current_user, unit_id=unit_id, kind=data["kind"], now=utcnow())
    flash(_("The robot was switched off."))
    return forms.finished(url_for("reach.robots", unit_id=unit_id))


@bp.route("/r/<token>")
def read_link(token: str) -> Response:
    """A message's link followed: read by its own person signed in (the first time), then on to what it is about.
    With no one signed in it goes to the sign-in first and back here, so a link scanner reads nothing; followed
    by someone else, it leads on and says why it was not marked read."""
    reader = current_user if current_user.is_authenticated else None
    message = reach.follow(token, key=settings().read_key, reader=reader, now=utcnow()) \
        if len(token) <= TOKEN_LIMIT else None
    if message is None:
        return render("reach/link.html", status=400)
    if reader is None:
        return cast(Response, login_manager.unauthorized())
    if not reach.reads(message, reader):
        flash(_("This message was sent to someone else: it is not marked read by you."))
    notification = db.session.get(Notification, message.notification_id)
    if notification is not None and notification.item_id:
        return forms.finished(url_for("cards.detail", item_id=notification.item_id)
                              + ("#records" if notification.record_id else ""))
    return forms.finished(url_for("inbox.index"))
