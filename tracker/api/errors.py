"""One JSON error shape for every refusal under /api: {status, code, message, errors?}.

These functions only shape the JSON; tracker.error_handlers.init_app decides, in one place, which requests get JSON
(paths under /api/) and which get the web's pages.
"""
from __future__ import annotations

import json
import re
from typing import Any

from flask import Response, request
from werkzeug.exceptions import HTTPException

from ..errors import TrackerError

API_PREFIX = "/api/"


class Unauthenticated(TrackerError, status=401, code="unauthorized"):
    """No valid bearer token came with the request."""


class PreconditionRequired(TrackerError, status=428, code="version_required"):
    """A change came without the version it was made against (If-Match or `version`)."""


HTTP_MESSAGES: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "请求格式有误", "The request is malformed"),
    401: ("unauthorized", "需要有效的访问令牌", "A valid bearer token is required"),
    403: ("forbidden", "无权执行此操作", "You may not do this"),
    404: ("not_found", "资源不存在", "Not found"),
    405: ("method_not_allowed", "不支持该请求方法", "Method not allowed"),
    413: ("payload_too_large", "上传内容超过大小限制", "The request is larger than allowed"),
    415: ("unsupported_media_type", "不支持的内容类型", "Unsupported media type"),
    422: ("validation_error", "请求参数有误", "The request has invalid fields"),
    428: ("version_required", "须提供当前版本号", "The current version is required"),
    500: ("internal_error", "服务器内部错误", "Internal server error"),
}

# marshmallow/webargs messages people meet most, in Chinese; others pass through in English.
FIELD_MESSAGES_ZH = {
    "Unknown field.": "未知字段",
    "Missing data for required field.": "必填字段",
    "Field may not be null.": "不能为空",
    "Not a valid integer.": "须为整数",
    "Not a valid string.": "须为字符串",
    "Not a valid date.": "须为有效日期(YYYY-MM-DD)",
    "Not a valid datetime.": "须为有效时间(ISO 8601)",
    "Not a valid boolean.": "须为布尔值",
    "Not a valid list.": "须为列表",
    "Not a valid mapping type.": "须为对象",
    "Invalid input type.": "输入类型有误",
    "Invalid JSON body.": "JSON 格式有误",
    "Invalid value.": "取值无效",
}


def language() -> str:
    """zh unless the request prefers English (Accept-Language: en)."""
    return request.accept_languages.best_match(["zh", "en"], default="zh") or "zh"


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


# marshmallow's validator messages carry numbers and choices: matched by pattern, said again in Chinese.
PATTERN_MESSAGES_ZH: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"Longer than maximum length (\d+)\."), "不能超过 {0} 个字符"),
    (re.compile(r"Shorter than minimum length (\d+)\."), "至少 {0} 个字符"),
    (re.compile(r"Length must be between (\d+) and (\d+)\."), "长度须在 {0} 到 {1} 之间"),
    (re.compile(r"Must be greater than or equal to (\S+) and less than or equal to (\S+)\."),
     "须在 {0} 到 {1} 之间"),
    (re.compile(r"Must be greater than or equal to (\S+)\."), "须不小于 {0}"),
    (re.compile(r"Must be less than or equal to (\S+)\."), "须不大于 {0}"),
    (re.compile(r"Must be one of: (.+)\."), "须为以下之一:{0}"),
)


def translated_messages(messages: Any, lang: str) -> Any:
    """Field messages in the caller's language (marshmallow speaks English; ours speak Chinese)."""
    if lang == "en":
        return messages
    if isinstance(messages, str):
        if messages in FIELD_MESSAGES_ZH:
            return FIELD_MESSAGES_ZH[messages]
        for pattern, words in PATTERN_MESSAGES_ZH:
            if found := pattern.fullmatch(messages):
                return words.format(*found.groups())
        return messages
    if isinstance(messages, list):
        return [translated_messages(m, lang) for m in messages]
    if isinstance(messages, dict):
        return {k: translated_messages(v, lang) for k, v in messages.items()}
    return messages


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """webargs nests messages by location and field; callers get {"field.sub": [messages]}."""
    if isinstance(messages, dict):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_request": list(messages)}
    if isinstance(messages, list):
        return _flatten(dict(enumerate(messages)), prefix)
    return {prefix or "_request": [str(messages)]}


def http_error_body(error: HTTPException, lang: str) -> dict[str, Any]:
    status = error.code or 500
    code, zh, en = HTTP_MESSAGES.get(status, (error.name.lower().replace(" ", "_"), error.name, error.name))
    body: dict[str, Any] = {"status": status, "code": code, "message": en if lang == "en" else zh}
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if isinstance(messages, dict) and messages:
        fields: dict[str, list[str]] = {}
        for location, found in messages.items():  # {"json": {"field": [...]}}, or {"json": ["Invalid JSON body."]}
            fields.update(_flatten(found) if isinstance(found, dict) else _flatten(found, location))
        body["errors"] = translated_messages(fields, lang)
        if status == 400:
            body["code"] = "malformed_json"
    return body


def json_error(body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    response = Response(json.dumps(body, ensure_ascii=False), status=body["status"], mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if body["status"] == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def tracker_error_json(error: TrackerError) -> Response:
    """Services may give a bare value per field (StaleVersion gives the current version): always a list here."""
    body = error.to_dict(language())
    if "errors" in body:
        body["errors"] = {field: [str(m) for m in value] if isinstance(value, list) else [str(value)]
                          for field, value in body["errors"].items()}
    return json_error(body)


def http_error_json(error: HTTPException) -> Response:
    """Keeps the exception's own headers (a 405's Allow), which flask-smorest's handler drops."""
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    return json_error(http_error_body(error, language()), headers)
