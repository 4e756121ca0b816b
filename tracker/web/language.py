"""The language switch: a POST (it changes state) that remembers the choice in the session."""
from __future__ import annotations

from flask import Blueprint, redirect, session, url_for
from werkzeug.wrappers import Response

from ..schemas import page_forms
from . import forms

bp = Blueprint("language", __name__)


@bp.route("/language", methods=["POST"])
def switch() -> Response:
    data = forms.form(page_forms.LanguageForm())
    session["lang"] = data["lang"]
    return redirect(forms.local_url(data.get("next"), url_for("home.index")))
