"""Geometry for the dashboard's SVG charts: pure arithmetic, so the templates only place what is computed here.

Charts are drawn by the server (no chart library, nothing from a CDN) and styled by class from app.css, which
the Content-Security-Policy allows where inline styles are not.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..services.assessment.dashboard import Tally, Week

BAR_WIDTH = 200


@dataclass(frozen=True)
class Bar:
    done: float
    overdue: float


def bar(figures: Tally, width: int = BAR_WIDTH) -> Bar:
    """Done and overdue as stacked shares of a row's items, in pixels of `width`."""
    if not figures.total:
        return Bar(0, 0)
    return Bar(done=round(width * figures.done / figures.total, 1),
               overdue=round(width * figures.overdue / figures.total, 1))


@dataclass(frozen=True)
class Trend:
    width: int
    height: int
    top: int
    points: str
    ticks: list[tuple[float, str]]


def trend(weeks: list[Week], values: list[int], *, width: int = 640, height: int = 160, pad: int = 30) -> Trend:
    """One series on a chart of its own, scaled to its own largest value: cumulative done (hundreds) and
    overdue now (a handful) on one scale would flatten the smaller one to the axis."""
    top = max(values + [1])
    step = (width - 2 * pad) / max(len(weeks) - 1, 1)
    points = " ".join(f"{pad + i * step:.1f},{height - pad - (height - 2 * pad) * v / top:.1f}"
                      for i, v in enumerate(values))
    ticks = [(pad + i * step, w.start.strftime("%m-%d")) for i, w in enumerate(weeks)]
    return Trend(width=width, height=height, top=top, points=points, ticks=ticks)
