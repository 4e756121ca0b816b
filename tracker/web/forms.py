"""Reading form fields into typed values; a bad value is an Invalid error shown to the person in words.

Plain functions rather than WTForms classes: the forms are small, htmx posts them, and the services validate
the substance (a reason present, a date in the plan), so here we only turn text into types.
"""
from __future__ import annotations

from datetime import date

from flask import Response, make_response, redirect, request

from ..errors import Invalid
from ..models import ItemStatus
from .htmx import wants_fragment

MAX_ID = 2**31 - 1


def text(name: str, *, limit: int = 10_000, required: bool = False) -> str:
    value = request.form.get(name, "").strip()[:limit]
    if required and not value:
        raise Invalid("请填写此项", "Please fill this in", fields={name: ["必填"]})
    return value


def integer(name: str, *, required: bool = True) -> int | None:
    raw = request.form.get(name, "").strip()
    if not raw and not required:
        return None
    if not raw.isdigit() or int(raw) > MAX_ID:
        raise Invalid(f"“{name}”须为整数", f"“{name}” must be a whole number",
                      fields={name: ["须为整数"]})
    return int(raw)


def integers(name: str) -> list[int]:
    values = request.form.getlist(name)
    if not all(v.isdigit() and int(v) <= MAX_ID for v in values):
        raise Invalid(f"“{name}”须为整数", f"“{name}” must be whole numbers",
                      fields={name: ["须为整数"]})
    return [int(v) for v in values]


def day(name: str) -> date:
    try:
        return date.fromisoformat(request.form.get(name, "").strip())
    except ValueError:
        raise Invalid("请填写有效日期(年-月-日)", "Enter a valid date (YYYY-MM-DD)",
                      fields={name: ["日期无效"]}) from None


def status(name: str = "to") -> ItemStatus:
    raw = request.form.get(name, "") or request.args.get(name, "")
    if raw not in set(ItemStatus):
        raise Invalid("未知的目标列", "Unknown column", fields={name: ["未知"]})
    return ItemStatus(raw)


def local_url(raw: str | None, default: str) -> str:
    """A path on this site to go back to; anything else (another host, "//evil") falls back to the default."""
    return raw if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw else default


def finished(url: str) -> Response:
    """After a change: htmx follows HX-Redirect (a full load of the fresh page), a plain form a 303."""
    if wants_fragment():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)
