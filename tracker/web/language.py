"""The language switch: a POST (it changes state) that remembers the choice in the session."""
from __future__ import annotations

from flask import Blueprint, redirect, request, session, url_for
from werkzeug.wrappers import Response

from .forms import local_url
from .i18n import LANGUAGES

bp = Blueprint("language", __name__)


@bp.route("/language", methods=["POST"])
def switch() -> Response:
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session["lang"] = lang
    return redirect(local_url(request.form.get("next"), url_for("home.index")))
