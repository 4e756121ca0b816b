"""The month's and the quarter's 通报: the list (the office's drafts, everyone's issued ones), one to read as it
will print, the office's text, issuing after a confirmation, and the DOCX and PDF downloads."""
from __future__ import annotations

from flask import Blueprint, Response, flash, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..clock import utcnow
from ..services.assessment import bulletin_docs, bulletins
from ..services.io import exports
from ..schemas import page_forms
from ..settings import settings
from . import forms
from .access import office_only
from .htmx import render

bp = Blueprint("bulletin_pages", __name__)
BULLETIN = "/bulletins/<id:bulletin_id>"


@bp.route("/bulletins")
@login_required
def index() -> Response:
    args = forms.query(page_forms.BulletinQuery())
    found = bulletins.list_bulletins(actor=current_user, **args)
    return render("bulletins/index.html", found=found, titles={b.id: bulletins.title(b) for b in found}, args=args)


@bp.route(BULLETIN)
@login_required
def show(bulletin_id: int) -> Response:
    bulletin = bulletins.get_bulletin(bulletin_id, actor=current_user)
    doc = bulletin_docs.content(bulletin, bulletins.data_of(bulletin, now=utcnow(), ladder=settings().ladder))
    return render("bulletins/show.html", bulletin=bulletin, doc=doc, body=bulletin_docs.html_body(doc))


@bp.route(BULLETIN + "/text", methods=["POST"])
@office_only
def edit_text(bulletin_id: int) -> Response:
    bulletin = bulletins.get_bulletin(bulletin_id, actor=current_user)
    data = forms.form(page_forms.BulletinTextForm())
    bulletins.edit_text(bulletin, actor=current_user, lead_text=data.get("lead_text"),
                        closing_text=data.get("closing_text"), expected_version=data["version"], now=utcnow())
    flash(_("The bulletin's text was saved."))
    return forms.finished(url_for("bulletin_pages.show", bulletin_id=bulletin.id))


@bp.route(BULLETIN + "/issue", methods=["POST"])
@office_only
def issue(bulletin_id: int) -> Response:
    bulletin = bulletins.get_bulletin(bulletin_id, actor=current_user)
    data = forms.form(page_forms.BulletinIssueForm())
    bulletins.issue(bulletin, actor=current_user, expected_version=data["version"], now=utcnow(), ladder=settings().ladder,
                    number_format=settings().number_format,
                    notify_leaders=data["notify_leaders"])
    flash(_("The bulletin was issued as %(number)s.", number=bulletin.number))
    return forms.finished(url_for("bulletin_pages.show", bulletin_id=bulletin.id))


@bp.route(BULLETIN + ".<any(docx, pdf):extension>")
@login_required
def download(bulletin_id: int, extension: str) -> Response:
    """The document named in Chinese (RFC 5987 filename*): Word to edit and print, PDF to file."""
    bulletin = bulletins.get_bulletin(bulletin_id, actor=current_user)
    body, content_type, filename = bulletin_docs.document_file(bulletin, extension, now=utcnow(), ladder=settings().ladder)
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = exports.content_disposition(filename)
    return response
