"""One validator for every door: web forms and query strings are read by marshmallow schemas (schemas/page_forms.py,
built from the API's own) through the same webargs parser as the API, so a page refuses what the API refuses:
control characters, digits that are not ASCII, numbers and dates out of range, text over its limit, a missing
version. A refusal is an Invalid error (422) that names each field, shown on the page; nothing is cut or guessed.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from flask import Request, Response, flash, make_response, redirect, request, url_for
from marshmallow import Schema, ValidationError
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict, FileStorage, MultiDict

from ..api.errors import translated_messages
from ..api.parsing import MULTIPART, TrackerParser
from ..errors import Invalid
from ..services.plan import glossary
from .htmx import wants_fragment

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "text": ("内容", "Text"), "percent": ("进度百分比", "Percent"), "note": ("说明", "Note"),
    "reason": ("理由", "Reason"), "version": ("版本号", "Version"), "due": ("申请的新期限", "New due date"),
    "due_date": ("完成时限", "Due date"), "explanation": ("办理情况说明", "Explanation"),
    "remedy_date": ("整改时限", "Remedy date"), "title": ("标题", "Title"), "description": ("工作要求", "Description"),
    "unit_ids": ("承办单位", "Units"), "task_id": ("任务", "Task"), "phase_id": ("阶段", "Phase"),
    "plan_id": ("计划", "Plan"), "decision": ("结论", "Decision"), "files": ("佐证材料", "Evidence"),
    "evidence_ids": ("佐证材料", "Evidence"), "priority": ("优先级", "Priority"), "before": ("位置", "Position"),
    "after": ("位置", "Position"), "to": ("目标列", "Column"),
    "unit": ("单位", "Unit"), "level": ("层级", "Level"), "status": ("状态", "Status"), "offset": ("页码", "Page"),
    "week": ("周次", "Week"), "q": ("搜索", "Search"), "light": ("状态灯", "Light"), "lanes": ("泳道", "Swimlanes"),
    "phase": ("阶段", "Phase"), "group": glossary.GROUP, "task": ("任务", "Task"), "lane": ("泳道", "Lane"),
    "lang": ("语言", "Language"), "values": ("参数", "Parameters"), "value": ("数值", "Value"),
    "period": ("期间", "Period"), "indicator": ("指标", "Indicator"), "state": ("完成情况", "State"),
}


class WebParser(TrackerParser):
    """The API's parser for pages: blank fields count as not sent (a form posts every input, filled or not),
    and a refusal is an Invalid error in words rather than the API's JSON."""

    def load_form(self, req: Request, schema: Schema) -> Any:
        return MultiDictProxy(req.form if getattr(schema, "KEEP_BLANK", False) else _filled(req.form), schema)

    def load_querystring(self, req: Request, schema: Schema) -> Any:
        return MultiDictProxy(_filled(req.args), schema)

    def load_multipart(self, req: Request, schema: Schema) -> Any:
        return MultiDictProxy(CombinedMultiDict([_filled(req.form), _chosen(req.files)]), schema)

    def handle_error(self, error: ValidationError, req: Request, schema: Schema, *, error_status_code: int | None,
                     error_headers: Mapping[str, str] | None) -> Any:
        messages = error.normalized_messages()  # {location: {field: [...]}}: one location per parse here
        raise refusal(next(iter(messages.values())) if len(messages) == 1 else messages, schema)


def _filled(values: MultiDict[str, str]) -> MultiDict[str, str]:
    return MultiDict([(key, value) for key, value in values.items(multi=True) if value.strip()])


def _chosen(files: MultiDict[str, FileStorage]) -> MultiDict[str, FileStorage]:
    """A file input left empty still posts a part, with no file name and nothing in it: no file was chosen (it
    is not a file of an unsupported type)."""
    return MultiDict([(key, file) for key, file in files.items(multi=True) if file.filename])


def refusal(messages: dict[str, Any], schema: Schema) -> Invalid:
    """Every field's complaint in one sentence, in both languages; the fields stay for the form to show."""
    zh = translated_messages(messages, "zh")
    en = translated_messages(messages, "en")
    labels = dict(FIELD_LABELS)
    labels.update({field.data_key or name: field.metadata["label"] for name, field in schema.fields.items()
                   if "label" in field.metadata})

    def sentence(found: dict[str, Any], lang: int) -> str:
        parts = []
        for name, complaint in found.items():
            label = labels.get(name, (name, name))[lang]
            words = complaint if isinstance(complaint, str) else ";".join(_flat(complaint))
            parts.append(f"{label}:{words}" if lang == 0 else f"{label}: {words}")
        return ";".join(parts) if lang == 0 else "; ".join(parts)

    return Invalid(f"填写的内容有误——{sentence(zh, 0)}", f"Please check the form. {sentence(en, 1)}",
                   code="invalid_form", fields={k: _flat(v) for k, v in zh.items()})


def _flat(complaint: Any) -> list[str]:
    if isinstance(complaint, str):
        return [complaint]
    if isinstance(complaint, dict):
        return [m for value in complaint.values() for m in _flat(value)]
    return [m for value in complaint for m in _flat(value)]


PARSER = WebParser()


def form(schema: Schema) -> dict[str, Any]:
    """The posted form (and its files, when the schema takes any), validated."""
    location = MULTIPART if {"files", "file"} & set(schema.fields) else "form"
    return PARSER.parse(schema, request, location=location)


def query(schema: Schema) -> dict[str, Any]:
    """The page's query string, validated."""
    return PARSER.parse(schema, request, location="query")


# An app-relative path made of characters that need no escaping in a Location header: no scheme, no host, no
# "//" or backslash that a browser would read as one, no tab, CR or LF (a %09 in the form arrives decoded).
SAFE_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9\-._~/?=&%+:,]{0,1999}")


def local_url(raw: str | None, default: str) -> str:
    """A path on this site to go back to; anything else falls back to the default page. Checked as sent and
    once decoded, so "/%09/evil.example" cannot become "//evil.example" on the way."""
    if not raw or not SAFE_PATH.fullmatch(raw):
        return default
    decoded = unquote(raw)
    if decoded.startswith(("//", "/\\")) or any(c < " " or c in "\\\x7f" for c in decoded):
        return default
    return raw


def finished(url: str) -> Response:
    """After a change: htmx follows HX-Redirect (a full load of the fresh page), a plain form a 303."""
    if wants_fragment():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = url
        return response
    return make_response(redirect(url, code=303))


def back_to_item(item_id: int, said: str, next_url: str | None = None) -> Response:
    """After a change to an item: say what was done and go back to the item's page, or to `next_url` when it
    names a page of this site (a decision taken from the office's workspace or 我的待办 goes back there)."""
    flash(said)
    return finished(local_url(next_url, url_for("cards.detail", item_id=item_id)))
