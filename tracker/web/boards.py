"""The board: columns with counts, cards in position order, filters and swimlanes, more cards on demand.

The query is services.work.boards.board (the same one the API serves); this module only turns the URL into its
filters, so a filtered board is a shareable link.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
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
from ..schemas.filters import filter_query
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
    """The board's URL arguments, validated by page_forms.BoardQuery (the API's filter schema: a malformed one is
    refused, with words): the cards' filters, and how the page lays them out."""

    filters: boards.ItemFilters  # as the URL gave them
    plan_id: int | None  # the URL's plan, or the latest
    lanes: str | None = None
    sort: str = DEFAULT_SORT
    figure: str | None = None  # one of the dashboard's figures (dashboard.FIGURES): its items exactly

    @classmethod
    def parse(cls, args: dict[str, Any]) -> BoardArgs:
        filters: boards.ItemFilters = args["filters"]
        return cls(filters=filters, plan_id=filters.plan_id or boards.default_plan_id(), lanes=args.get("lanes"),
                   sort=args.get("sort", DEFAULT_SORT), figure=args.get("figure"))

    @property
    def ints(self) -> dict[str, int]:
        """The ids narrowed to, by their query names (phase, group, task, unit), for the filter form."""
        found = filter_query(self.filters)
        return {name: found[name] for name in INT_ARGS if name in found}

    @property
    def light(self) -> Light | None:
        return self.filters.light

    @property
    def q(self) -> str:
        return self.filters.q or ""

    @property
    def due_from(self) -> date | None:
        return self.filters.due_from

    @property
    def due_to(self) -> date | None:
        return self.filters.due_to

    def filters_with(self, **extra: Any) -> boards.ItemFilters:
        """The filters, narrowed to the dashboard figure's items when one is named, and to `extra`."""
        filters = dataclasses.replace(self.filters, plan_id=self.plan_id, **extra)
        if self.figure and self.plan_id:
            filters = dataclasses.replace(filters, ids=dashboard.figure_item_ids(
                self.figure, actor=current_user, plan_id=self.plan_id, today=deadlines().today,
                unit_id=self.filters.unit_id, timezone=settings().timezone))
        return filters

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
        found = filter_query(self.filters)
        found.update({k: v for k, v in (("lanes", self.lanes), ("figure", self.figure)) if v})
        if self.sort != DEFAULT_SORT:
            found["sort"] = self.sort
        return found

    def column_query(self, status: str, lane: int | None, offset: int) -> dict[str, Any]:
        """The arguments of a column's "load more": these filters, in that column (and lane) from `offset`."""
        found = {k: v for k, v in self.query_string().items() if k != "status"}
        return found | {"status": status, "lane": "" if lane is None else lane, "offset": offset}

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
    data = boards.board(args.filters_with(), actor=current_user, deadlines=deadlines(), swimlanes=args.lanes,
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
    offset, lane = query["offset"], query.get("lane")
    status = args.filters.status[0]  # the column (a board filtered by status has only those columns)
    extra: dict[str, Any] = {LANE_FILTER[args.lanes]: lane} if args.lanes and lane is not None else {}
    data = boards.board(args.filters_with(**extra), actor=current_user, deadlines=deadlines(), swimlanes=None,
                        limit=offset + PAGE, sort=args.sort)
    col = data["lanes"][0]["columns"][list(ItemStatus).index(status)]
    return render("board/_more.html", cards=col["cards"][offset:], count=col["count"], offset=offset,
                  column_status=status, lane="" if lane is None else lane, args=args)
