"""Reading the YAML files the office keeps (a plan, the units, holidays, the rubric, demo scripts): one way for all.

Split from plan_files.py so the rubric, the holiday calendar and the demo read their files the same way without
importing the plan's schemas. Dates stay text until a schema reads them, structure is strict (unknown fields
refused), and every problem comes back with its location, e.g. ``tasks[4].items[1].due: ...``.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from marshmallow import RAISE, Schema, ValidationError, validate

KEY = validate.Regexp(r"^[a-z0-9][a-z0-9_-]{0,63}$", error="只能使用小写字母、数字、下划线和连字符(至多 64 个字符)")
SHORT_TEXT = validate.Length(min=1, max=200)

class FileProblems(Exception):
    """A seed file that must not be loaded, with every problem found in it."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class _DatesAsText(yaml.SafeLoader):
    """YAML turns 2023-02-30 into an error and 2023-12-31 into a date; keep both as text for the schema."""


_DatesAsText.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_scalar)  # type: ignore[type-var]  # the stubs want a loader class's function; this is SafeLoader's own


def read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FileProblems([f"{path}: 无法读取文件:{exc}"]) from exc
    try:
        return yaml.load(text, Loader=_DatesAsText)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise FileProblems([f"{path}: YAML 格式错误:{exc}"]) from exc


def flatten(messages: Any, location: str = "") -> list[str]:
    """marshmallow's nested error dict as `tasks[4].items[1].due: message` lines."""
    if isinstance(messages, dict):
        lines: list[str] = []
        for key, value in messages.items():
            if isinstance(key, int):
                sub = f"{location}[{key}]"
            elif key == "_schema":
                sub = location
            else:
                sub = f"{location}.{key}" if location else str(key)
            lines.extend(flatten(value, sub))
        return lines
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [f"{location or '(file)'}: {m}" for m in messages]
    if isinstance(messages, list):
        return [line for m in messages for line in flatten(m, location)]
    return [f"{location or '(file)'}: {messages}"]


def _load(schema: Schema, raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise FileProblems(["(file): 文件顶层必须是一个映射(key: value)"])
    try:
        return schema.load(raw)
    except ValidationError as exc:
        raise FileProblems(flatten(exc.messages)) from exc


def _duplicates(values: list[Any], location: str, what: str) -> list[str]:
    seen: set[Any] = set()
    problems = []
    for index, value in enumerate(values):
        if value in seen:
            problems.append(f"{location}[{index}].{what}: 重复的 {what} “{value}”")
        seen.add(value)
    return problems
