"""The board: columns with counts, cards in position order, filters and swimlanes, more cards on demand.

The query is services.work.boards.board (the same one the API serves); this module only turns the URL into its
filters, so a filtered board is a shareable link.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, Response
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..models import ItemStatus
from ..services.assessment import dashboard
from ..services.plan import lookup, plans, units
from ..services.work import boards
from ..services.work.deadlines import Light
from ..schemas import page_forms
from . import forms
from ..settings import deadlines, settings
from .helpers import dashboard_figure_label, light_text, unit_options
from .htmx import render

bp = Blueprint("boards", __name__)

PAGE = 30
# A board in swimlanes shows the first cards of each lane's columns, then "more" per column and a link to the
# lane's own board: the office's board by unit is 26 lanes, and ten cards a column made it 1,000 cards, 674 KB.
LANE_PAGE = 3
LANE_FILTER = {"group": "group_id", "task": "task_id", "unit": "unit_id"}
INT_ARGS = ("phase", "group", "task", "unit")
DEFAULT_SORT = "urgency"  # the cards to chase first; "position" is the order people arranged by hand


@dataclass(frozen=True)
class BoardArgs:
    """The board's URL arguments, validated by page_forms.BoardQuery (a malformed one is refused, with words)."""

    plan_id: int | None
    ints: dict[str, int] = field(default_factory=dict)
    light: Light | None = None
    q: str = ""
    lanes: str | None = None
    sort: str = DEFAULT_SORT
    due_from: date | None = None
    due_to: date | None = None
    figure: str | None = None  # one of the dashboard's figures (dashboard.FIGURES): its items exactly

    @classmethod
    def parse(cls, args: dict[str, Any]) -> BoardArgs:
        return cls(plan_id=boards.default_plan_id(), ints={name: args[name] for name in INT_ARGS if name in args},
                   light=args.get("light"), q=args.get("q", "").strip(), lanes=args.get("lanes"),
                   sort=args.get("sort", DEFAULT_SORT), due_from=args.get("due_from"), due_to=args.get("due_to"),
                   figure=args.get("figure"))

    def filters(self, **extra: Any) -> boards.ItemFilters:
        values: dict[str, Any] = {
            "plan_id": self.plan_id, "phase_id": self.ints.get("phase"), "group_id": self.ints.get("group"),
            "task_id": self.ints.get("task"), "unit_id": self.ints.get("unit"), "light": self.light,
            "q": self.q or None,
            "due_after": self.due_from - timedelta(days=1) if self.due_from else None,
            "due_before": self.due_to + timedelta(days=1) if self.due_to else None}
        if self.figure and self.plan_id:
            values["ids"] = dashboard.figure_item_ids(self.figure, actor=current_user, plan_id=self.plan_id,
                                                      today=deadlines().today, unit_id=self.ints.get("unit"),
                                                      timezone=settings().timezone)
        return boards.ItemFilters(**(values | extra))

    def described(self) -> list[str]:
        """The filters in words, for an export's name and title row: 市司法局, 任务8, "text searched"."""
        found = [units.short_names([self.ints["unit"]]).get(self.ints["unit"], "")] if "unit" in self.ints else []
        if "task" in self.ints:
            found.append(_("Task %(number)s", number=lookup.task(self.ints["task"]).number))
        if self.light:
            found.append(light_text(self.light))
        if self.due_from or self.due_to:
            found.append(f"{self.due_from or ''}~{self.due_to or ''}")
        if self.figure:
            found.append(dashboard_figure_label(self.figure))
        return found + ([f"“{self.q}”"] if self.q else [])

    def query_string(self) -> dict[str, Any]:
        """The arguments again, for links that must keep the filters (load more, shareable URL)."""
        found: dict[str, Any] = dict(self.ints)
        found.update({k: v for k, v in (("light", self.light), ("q", self.q), ("lanes", self.lanes),
                                        ("due_from", self.due_from), ("due_to", self.due_to),
                                        ("figure", self.figure)) if v})
        if self.sort != DEFAULT_SORT:
            found["sort"] = self.sort
        return found

    def lane_board(self, lane_key: int) -> dict[str, Any]:
        """The filters of one swimlane's own board: these filters narrowed to the lane, without swimlanes."""
        found = {k: v for k, v in self.query_string().items() if k != "lanes"}
        if self.lanes:
            found[self.lanes] = lane_key
        return found


@bp.route("/board")
@login_required
def show() -> Response:
    args = BoardArgs.parse(forms.query(page_forms.BoardQuery()))
    data = boards.board(args.filters(), actor=current_user, deadlines=deadlines(), swimlanes=args.lanes,
                        limit=LANE_PAGE if args.lanes else PAGE, sort=args.sort)
    plan = plans.get_plan(args.plan_id) if args.plan_id else None
    return render("board/page.html", "board/_board.html", board=data, args=args, plan=plan,
                  unit_choices=unit_options(current_user))


@bp.route("/board/column")
@login_required
def column() -> Response:
    """The next cards of one column (and lane): what the "load more" button fetches."""
    query = forms.query(page_forms.ColumnQuery())
    args = BoardArgs.parse(query)
    status, offset, lane = query["status"], query["offset"], query.get("lane")
    extra: dict[str, Any] = {"status": (status,)}
    if args.lanes and lane is not None:
        extra[LANE_FILTER[args.lanes]] = lane
    data = boards.board(args.filters(**extra), actor=current_user, deadlines=deadlines(), swimlanes=None,
                        limit=offset + PAGE, sort=args.sort)
    col = data["lanes"][0]["columns"][list(ItemStatus).index(status)]
    return render("board/_more.html", cards=col["cards"][offset:], count=col["count"], offset=offset,
                  column_status=status, lane="" if lane is None else lane, args=args)
