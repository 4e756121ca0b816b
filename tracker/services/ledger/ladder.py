"""The escalation ladder as values: its levels, read and checked from configuration, and the pure decisions on
plain numbers (which levels an item this many days overdue has reached, the reason in words).

Below escalation.py (the daily scan that writes records) and notices.py (numbered notices per level), so both
read the ladder without importing each other.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ...errors import Invalid

_PHRASES = {"remind": "已发提醒", "urge": "已发催办通知", "supervise": "已发督办通知", "bulletin": "予以通报"}


@dataclass(frozen=True)
class Level:
    level: int
    key: str
    name: str
    days_overdue: int
    answer_within_days: int | None = None

    @property
    def phrase(self) -> str:
        return _PHRASES.get(self.key, f"已发{self.name}通知")


def parse_ladder(raw: Sequence[Mapping[str, Any]]) -> tuple[Level, ...]:
    """Validate a configured ladder: levels numbered 1..n, days strictly rising. Raises Invalid."""
    try:
        levels = tuple(Level(level=int(e["level"]), key=str(e["key"]), name=str(e["name"]),
                             days_overdue=int(e["days_overdue"]),
                             answer_within_days=int(e["answer_within_days"]) if e.get("answer_within_days")
                             else None) for e in raw)
    except (KeyError, TypeError, ValueError) as exc:
        raise Invalid(f"督办阶梯配置有误:{exc}", f"TRACKER_LADDER is malformed: {exc}") from None
    if not levels:
        raise Invalid("督办阶梯至少要有一级", "TRACKER_LADDER needs at least one level")
    if [lv.level for lv in levels] != list(range(1, len(levels) + 1)):
        raise Invalid("督办阶梯的 level 须为 1、2、3……", "Ladder levels must be numbered 1, 2, 3, ...")
    days = [lv.days_overdue for lv in levels]
    if days[0] < 1 or any(b <= a for a, b in zip(days, days[1:], strict=False)):
        raise Invalid("督办阶梯的逾期天数须从 1 起严格递增", "Ladder days must start at 1 or more and rise")
    return levels


def levels_reached(overdue_days: int, ladder: Sequence[Level]) -> tuple[Level, ...]:
    """Every level whose threshold an item this many days overdue has met, lowest first."""
    return tuple(lv for lv in ladder if overdue_days >= lv.days_overdue)


def current_level(overdue_days: int, ladder: Sequence[Level]) -> Level | None:
    reached = levels_reached(overdue_days, ladder)
    return reached[-1] if reached else None


def ladder_reason(level: Level, overdue_days: int, answer_due: date | None) -> str:
    """The reason in words, e.g. "逾期 16 天,已发督办通知,须于 2024-01-21 前书面说明原因并报送整改时限"."""
    text = f"逾期 {overdue_days} 天,{level.phrase}"
    if answer_due is not None:
        text += f",须于 {answer_due.isoformat()} 前书面说明原因并报送整改时限"
    return text


def unanswered_reason(level_name: str, answer_due: date) -> str:
    return f"{level_name}通知应于 {answer_due.isoformat()} 前答复,逾期未答复"
