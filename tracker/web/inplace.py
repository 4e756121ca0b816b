"""Deciding in place, row by row, in a long queue (the office's review queue, the indicator figures awaiting the
office).

With htmx the decided row is swapped for a line saying what was done, so the page keeps its place and its
scroll position; a refusal (a return without a reason, a figure someone else decided first) is shown in the
row's own error area, next to the form it belongs to, rather than in the banner at the top of a long page.
Without a script the same forms post as whole pages and come back to the queue at the row's anchor, the message
flashed under the row's own category so the page shows it beside that row. A refusal changes nothing either way.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import cast

from flask import flash, get_flashed_messages, make_response, redirect, render_template, request
from werkzeug.wrappers import Response

from ..errors import TrackerError
from ..extensions import db
from . import forms, i18n
from .htmx import wants_fragment

REFUSED, NOTE = "row-refused:", "row-note:"
ANCHOR = re.compile(r"[a-z]{1,16}-\d{1,10}")


def row_refusals(anchor: str) -> list[str]:
    """Why the last decision on this row was refused (a template global)."""
    return cast(list[str], get_flashed_messages(category_filter=[REFUSED + anchor]))  # without categories: text


def row_notes(anchor: str) -> list[str]:
    """What the decision just before said, shown above the row that came after it (a template global)."""
    return cast(list[str], get_flashed_messages(category_filter=[NOTE + anchor]))  # as above


def _then() -> str | None:
    """The row after the decided one (sent in the form's query string), to come back to without a script."""
    found = request.args.get("then", "")
    return found if ANCHOR.fullmatch(found) else None


def decide(action: Callable[[], str], *, row: str, back: str, swap: bool = True) -> Response:
    """Run a decision for one row; its words replace the row (htmx) or sit beside the next row (a whole page).
    `swap=False` (a row that is not in a queue, such as a figure's history): the fresh page after a success."""
    try:
        message = action()
    except TrackerError as error:
        if error.status in (403, 404):  # not this person's to decide, or not there: refused as a page, not a form
            raise
        return _refused(row, error.message(i18n.current_lang()), status=error.status, back=back)
    if not swap:
        flash(message)
        return forms.finished(back)
    if wants_fragment():
        return make_response(render_template("_decided_row.html", row=row, message=message))
    then = _then()
    flash(message, NOTE + then if then else "message")
    return redirect(f"{back}#{then or row}", code=303)


def _refused(row: str, message: str, *, status: int, back: str) -> Response:
    if wants_fragment():
        response = make_response(render_template("_row_error.html", message=message), status)
        response.headers["HX-Retarget"] = f"#{row}-error"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    db.session.rollback()  # the page comes back by a redirect (a success status): make sure nothing stays
    flash(message, REFUSED + row)
    return redirect(f"{back}#{row}", code=303)
