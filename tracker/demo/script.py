"""The demo script (seed_tasks/demo_script.yaml): how the sample units and the office behave, as checked data.

Read like the other seed files: marshmallow checks structure, then references (profiles named by units) are
checked; every problem is reported with its location and nothing is built from a file with problems.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from ..config import ROOT
from ..services.plan.seed_files import KEY, FileProblems, _load, _StrictSchema, read_yaml

DEFAULT_SCRIPT = ROOT / "seed_tasks" / "demo_script.yaml"
RATE = validate.Range(min=0, max=1)
TEXTS = validate.Length(min=1)


def _span(low: int = 0, high: int = 3650) -> fields.List:
    """A [min, max] pair of whole numbers within low..high (the schema's _Ranges checks min <= max)."""
    return fields.List(fields.Integer(validate=validate.Range(min=low, max=high)), required=True,
                       validate=validate.Length(equal=2))


def _rate() -> fields.Float:
    return fields.Float(required=True, validate=RATE)


def _texts() -> fields.List:
    return fields.List(fields.String(validate=validate.Length(min=1, max=500)), required=True, validate=TEXTS)


class _Ranges(_StrictSchema):
    """Every [min, max] field of the schema must have min <= max."""

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        wrong = {name: ["应为 [最小值, 最大值],且最小值不大于最大值"] for name, value in data.items()
                 if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)
                 and value[0] > value[1]}
        if wrong:
            raise ValidationError(wrong)


class LatenessSchema(_Ranges):
    days = _span(low=1)
    weight = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False))


class ProfileSchema(_Ranges):
    lead_days = _span()
    sign_delay_days = _span()
    on_time = _rate()
    early_days = _span()
    lateness = fields.List(fields.Nested(LatenessSchema), required=True, validate=TEXTS)
    progress_every_days = _span(low=1)
    evidence = _rate()
    returned = _rate()
    fix_days = _span()
    extension = _rate()
    answer = _rate()
    answer_days = _span()
    periodic_report = _rate()


class OfficeSchema(_Ranges):
    review_days = _span()
    extension_decide_days = _span()
    extension_grant = _rate()
    close_answered = _rate()
    close_days = _span()
    events_per_quarter = _span()
    return_reasons = _texts()
    refusal_reasons = _texts()
    close_notes = _texts()


class EvidenceSchema(_Ranges):
    kinds = fields.List(fields.String(validate=validate.OneOf(["pdf", "png"])), required=True, validate=TEXTS)
    size_bytes = _span(low=200, high=1_000_000)
    files_per_update = _span(low=1, high=10)


class BulletinsSchema(_Ranges):
    issue = _rate()
    issue_days = _span()
    lead_texts = _texts()


class TextsSchema(_StrictSchema):
    progress = _texts()
    reports = _texts()
    extension_reasons = _texts()
    explanations = _texts()
    event_labels = _texts()


class UnitsSchema(_StrictSchema):
    default = fields.String(required=True, validate=KEY)
    by_kind = fields.Dict(keys=fields.String(validate=KEY), values=fields.String(validate=KEY), load_default=dict)
    by_key = fields.Dict(keys=fields.String(validate=KEY), values=fields.String(validate=KEY), load_default=dict)


class IndicatorsSchema(_Ranges):
    """How units report indicator figures and how the office decides (demo/figures.py)."""

    set_targets_on = fields.Date(required=True)
    targets = fields.Dict(keys=fields.String(validate=KEY), values=fields.Decimal(
        allow_nan=False, validate=validate.Range(min=0, max=1_000_000)), required=True)
    report_days = _span(low=-365, high=365)
    not_reported = _rate()
    missed = _rate()
    returned = _rate()
    review_days = _span()
    fix_days = _span()
    notes = _texts()
    return_reasons = _texts()


class ScriptSchema(_StrictSchema):
    seed = fields.Integer(required=True)
    password = fields.String(required=True, validate=validate.Length(min=10, max=128))
    office = fields.Nested(OfficeSchema, required=True)
    evidence = fields.Nested(EvidenceSchema, required=True)
    texts = fields.Nested(TextsSchema, required=True)
    profiles = fields.Dict(keys=fields.String(validate=KEY), values=fields.Nested(ProfileSchema), required=True,
                           validate=validate.Length(min=1))
    units = fields.Nested(UnitsSchema, required=True)
    bulletins = fields.Nested(BulletinsSchema, required=True)
    indicators = fields.Nested(IndicatorsSchema, load_default=None)


@dataclass(frozen=True)
class Script:
    """A checked demo script: plain data, read by the planner and the replay."""

    seed: int
    password: str
    office: dict[str, Any]
    evidence: dict[str, Any]
    texts: dict[str, list[str]]
    profiles: dict[str, dict[str, Any]]
    units: dict[str, Any]
    bulletins: dict[str, Any]
    indicators: dict[str, Any] | None = None

    def profile_for(self, unit_key: str, kind: str) -> dict[str, Any]:
        """A unit's profile: by its key, else by its kind, else the default."""
        name = self.units["by_key"].get(unit_key) or self.units["by_kind"].get(kind) or self.units["default"]
        return self.profiles[name]


def parse_script(raw: Any, *, unit_keys: set[str] | None = None, kinds: set[str] | None = None) -> Script:
    """A valid script, or FileProblems naming every problem and where it is.

    `unit_keys` and `kinds`, when given, are what the units file holds: units and kinds the script names must exist.
    """
    try:
        data = _load(ScriptSchema(), raw)
    except FileProblems as exc:  # marshmallow files a mapping's value errors under "value": drop that step
        raise FileProblems([re.sub(r"^(profiles\.[^.]+)\.value\.", r"\1.", p) for p in exc.problems]) from None
    problems = []
    units = data["units"]
    named = [("units.default", units["default"])]
    named += [(f"units.by_kind.{k}", v) for k, v in units["by_kind"].items()]
    named += [(f"units.by_key.{k}", v) for k, v in units["by_key"].items()]
    problems += [f"{where}: 未定义的 profile “{name}”" for where, name in named if name not in data["profiles"]]
    if unit_keys is not None:
        problems += [f"units.by_key.{k}: 单位 “{k}” 不存在" for k in units["by_key"] if k not in unit_keys]
    if kinds is not None:
        problems += [f"units.by_kind.{k}: 单位类别 “{k}” 不存在" for k in units["by_kind"] if k not in kinds]
    if problems:
        raise FileProblems(problems)
    return Script(**data)


def read_script(path: Path = DEFAULT_SCRIPT, *, unit_keys: set[str] | None = None,
                kinds: set[str] | None = None) -> Script:
    return parse_script(read_yaml(path), unit_keys=unit_keys, kinds=kinds)
