"""The archive of weekly digests, each readable as it was sent: the stored HTML served as its own sandboxed
document (no script, no forms, nothing fetched), framed by the digest's page, with the plain text beside."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response
from flask_login import current_user, login_required

from ..services.ledger import digests
from ..services.plan import units
from ..schemas import page_forms
from . import forms
from .htmx import render
from .i18n import current_lang

bp = Blueprint("digest_pages", __name__)
PAGE = 50
DIGEST = "/digests/<id:digest_id>"
SENT_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"


@bp.route("/digests")
@login_required
def index() -> Response:
    args = forms.query(page_forms.DigestQuery())
    day: date | None = args.get("day")
    week, offset = (digests.week_key(day) if day else args.get("week")), args["offset"]
    found = digests.list_digests(actor=current_user, period_key=week, limit=PAGE + 1, offset=offset)
    return render("digest_pages/index.html", "digest_pages/_list.html", digests=found[:PAGE],
                  unit_names=units.short_names(d.unit_id for d in found),
                  more=len(found) > PAGE, offset=offset, week=week or "", page_size=PAGE,
                  monday=week_start(week) if week else None, week_words=week_words)


def week_words(key: str) -> str:
    """The week in words for the list (2025年第1周(12月30日—1月5日)); a key no calendar has, as it is."""
    return digests.week_label(key, current_lang()) if week_start(key) else key


def week_start(key: str) -> date | None:
    """The Monday of a period key, to show the week as a date; None for a week no calendar has (2024-W60)."""
    try:
        return date.fromisocalendar(int(key[:4]), int(key[6:]), 1)
    except ValueError:
        return None


@bp.route(DIGEST)
@login_required
def show(digest_id: int) -> Response:
    digest = digests.get_digest(digest_id, actor=current_user)
    return render("digest_pages/show.html", digest=digest, deliveries=digests.deliveries_of(digest),
                  week_words=week_words)


@bp.route(DIGEST + "/sent")
@login_required
def sent(digest_id: int) -> Response:
    """The HTML exactly as mailed; its own policy forbids everything but the mail's own styles."""
    digest = digests.get_digest(digest_id, actor=current_user)
    response = Response(digest.html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = SENT_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
