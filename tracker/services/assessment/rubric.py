"""The assessment rubric (年度考核评分细则) as data: a YAML file in seed_tasks/ tied to a plan by its key.

What a rule counts is code, a closed set (RULE_KINDS): items done on time, ladder records of a level (催办, 督办,
通报, named by their ladder key), unanswered 督办, returns, missed periodic reports (未按时报送), indicators not met
or not reported. Its label, points per fact and cap are data, so a city
changes its scoring without a release. The file is checked like the other seed files: every problem with its
location, and nothing is used when any is found.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from ..plan.seed_files import KEY, SHORT_TEXT, FileProblems, _duplicates, _load, _StrictSchema, read_yaml


@dataclass(frozen=True)
class RuleKind:
    key: str
    bonus: bool  # points added (done on time); every other kind deducts
    ladder_key: str | None = None  # the ladder level whose records it counts (services.ledger.escalation)


RULE_KINDS: dict[str, RuleKind] = {kind.key: kind for kind in (
    RuleKind("done_on_time", bonus=True),
    RuleKind("urge", bonus=False, ladder_key="urge"),
    RuleKind("supervise", bonus=False, ladder_key="supervise"),
    RuleKind("bulletin", bonus=False, ladder_key="bulletin"),
    RuleKind("unanswered", bonus=False),
    RuleKind("returned", bonus=False),
    RuleKind("missed_report", bonus=False),
    RuleKind("indicator_not_met", bonus=False),
    RuleKind("indicator_not_reported", bonus=False),
)}
CENT = Decimal("0.01")
POINTS: dict[str, Any] = {"places": 2, "as_string": False, "validate": validate.Range(min=Decimal("0.01"), max=Decimal(1000))}


def number(value: Decimal) -> str:
    """Points as people write them: 98.5, 100, 0.25."""
    return format(value.quantize(CENT).normalize(), "f")


@dataclass(frozen=True)
class Rule:
    kind: str
    label: str
    points: Decimal
    cap: Decimal | None

    @property
    def bonus(self) -> bool:
        return RULE_KINDS[self.kind].bonus

    def subtotal(self, count: int) -> Decimal:
        """Points for `count` facts, capped; positive for a bonus, negative for a deduction."""
        total = self.points * count
        if self.cap is not None:
            total = min(total, self.cap)
        return total if self.bonus else -total


@dataclass(frozen=True)
class Rubric:
    plan: str
    version: str
    title: str
    base: Decimal
    floor: Decimal
    rules: tuple[Rule, ...]
    sha256: str

    def as_data(self) -> dict[str, Any]:
        """What a frozen assessment keeps of the rubric it was scored by."""
        return {"plan": self.plan, "version": self.version, "title": self.title, "hash": self.sha256,
                "base": number(self.base), "floor": number(self.floor),
                "rules": [{"kind": r.kind, "label": r.label, "points": number(r.points),
                           "cap": None if r.cap is None else number(r.cap), "bonus": r.bonus} for r in self.rules]}


class RuleSchema(_StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(sorted(RULE_KINDS),
                                                                error="未知的规则类型,可用:{choices}"))
    label = fields.String(required=True, validate=validate.Length(min=1, max=40))
    points = fields.Decimal(required=True, **POINTS)
    cap = fields.Decimal(load_default=None, allow_none=True, **POINTS)


class RubricFileSchema(_StrictSchema):
    plan = fields.String(required=True, validate=KEY)
    version = fields.String(required=True, validate=validate.Length(min=1, max=32))
    title = fields.String(required=True, validate=SHORT_TEXT)
    base = fields.Decimal(required=True, places=2, validate=validate.Range(min=0, max=10_000))
    floor = fields.Decimal(load_default=Decimal(0), places=2, validate=validate.Range(min=0, max=10_000))
    rules = fields.List(fields.Nested(RuleSchema), required=True, validate=validate.Length(min=1))

    @validates_schema(skip_on_field_errors=False)
    def _floor_below_base(self, data: dict[str, Any], **_: Any) -> None:
        """Checked even when other fields are wrong, so one reading reports every problem."""
        if "base" in data and "floor" in data and data["floor"] > data["base"]:
            raise ValidationError("最低分不能高于基础分", "floor")


def parse_rubric(raw: Any, *, sha256: str) -> Rubric:
    """A valid rubric, or FileProblems listing everything wrong with it."""
    data = _load(RubricFileSchema(), raw)
    problems = _duplicates([r["kind"] for r in data["rules"]], "rules", "kind")
    if problems:
        raise FileProblems(problems)
    return Rubric(plan=data["plan"], version=data["version"], title=data["title"], base=data["base"],
                  floor=data["floor"], sha256=sha256,
                  rules=tuple(Rule(kind=r["kind"], label=r["label"], points=r["points"], cap=r["cap"])
                              for r in data["rules"]))


def read_rubric(path: Path) -> Rubric:
    """The rubric file at `path`; its hash identifies exactly what a frozen assessment was scored by."""
    raw = read_yaml(path)
    return parse_rubric(raw, sha256=hashlib.sha256(path.read_bytes()).hexdigest())
