"""Live pages (issue 22): one server-sent event stream per browser tab, and the card a board fetches on a change.

The stream says only which item changed (its id, what happened, its new version); the page fetches what it shows
of it through the routes it was drawn by, with the reader's own permissions, and swaps it in (static/live.js).
Which changes a stream carries is decided by permissions.Sight, the rule the board's query is built from, taken
when the stream opens: a unit's stream never names another unit's item.

A stream holds no database connection and no transaction while it waits (tracker/live_hub.py): the request's
transaction ends before the first byte is sent. It ends by itself after LIFETIME_SECONDS, and the browser
reconnects with `Last-Event-ID`, so a session that ended, an account disabled or a unit moved in the tree is
noticed within that time, and a worker restarting (gunicorn's graceful_timeout) is not held up for long.
"""
from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator, Sequence

from flask import Blueprint, Response, g, make_response, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from .. import live_hub, transaction
from ..extensions import db
from ..schemas import page_forms
from ..services.trust import permissions
from ..services.trust.permissions import Sight
from ..services.work import boards, live_events
from ..services.work.live_events import Change
from ..settings import deadlines, settings
from . import forms
from .boards import BoardArgs

bp = Blueprint("live", __name__)

HEARTBEAT_SECONDS = 15.0  # a comment line, so proxies and the browser keep an idle stream open
LIFETIME_SECONDS = 300.0  # then the browser reconnects and the stream is authorised again
RETRY_MS = 2000  # how soon the browser reconnects after a stream ended or dropped
BUSY_RETRY_MS = 30_000  # when this worker already serves all the streams it may
BACKLOG = 1000  # changes replayed on resumption; a page that missed more reloads what it shows
STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}  # nginx: pass each event on at once


@bp.route("/live/stream")
@login_required
def stream() -> Response:
    """text/event-stream of the changes the reader may see, after `Last-Event-ID` (a resumption) or `since`
    (the last change the page had when it was drawn)."""
    resume = forms.PARSER.parse(page_forms.LiveResumeHeaders(), request, location="headers")
    since = resume.get("last_event_id", forms.query(page_forms.LiveStreamQuery()).get("since"))
    sight = permissions.sight(current_user)
    latest = live_events.last_id()
    transaction.release()  # what is read next sees every change up to where the hub has read
    hub = live_hub.hub_for(db.engine, settings().live_streams)
    joined = hub.subscribe(latest)
    if joined is None:
        return _answer(iter([f"retry: {BUSY_RETRY_MS}\n\n".encode()]))
    subscriber, cursor = joined
    try:
        backlog, reset = _backlog(since, cursor, latest)
    except BaseException:
        hub.unsubscribe(subscriber)
        raise
    finally:
        transaction.release()
    return _answer(_events(hub, subscriber, sight, backlog, reset=reset, after=max(since or 0, cursor)))


def _backlog(since: int | None, cursor: int, latest: int) -> tuple[list[Change], bool]:
    """What the page missed up to where the hub will carry on, or that it must reload (too much, or pruned)."""
    if since is None or since >= cursor:
        return [], since is not None and since > max(cursor, latest)
    if live_events.missed_some(since):
        return [], True
    found = live_events.after(since, upto=cursor, limit=BACKLOG + 1)
    return (found, False) if len(found) <= BACKLOG else ([], True)


def _answer(body: Iterator[bytes]) -> Response:
    response = Response(body, mimetype="text/event-stream", headers=STREAM_HEADERS)
    response.direct_passthrough = True
    return response


def _events(hub: live_hub.Hub, subscriber: live_hub.Subscriber, sight: Sight, backlog: Sequence[Change], *,
            reset: bool, after: int) -> Iterator[bytes]:
    """The stream itself: it runs after the request ended, so it reads nothing but the hub's queue."""
    try:
        yield f"retry: {RETRY_MS}\n\n".encode()
        if reset:
            yield b"event: reset\ndata: {}\n\n"
        if replayed := _frames_bytes(backlog, sight):
            yield replayed
        ends = time.monotonic() + LIFETIME_SECONDS
        while not hub.closing and (left := ends - time.monotonic()) > 0:
            changes = subscriber.wait(min(HEARTBEAT_SECONDS, left))
            if subscriber.overflowed:
                subscriber.overflowed = False
                yield b"event: reset\ndata: {}\n\n"
            fresh = [c for c in changes if c.id > after]
            if fresh:
                after = fresh[-1].id
            yield _frames_bytes(fresh, sight) or b": ping\n\n"
    finally:
        hub.unsubscribe(subscriber)


def _frames_bytes(changes: Sequence[Change], sight: Sight) -> bytes:
    """One `item` event per change the reader may see; nothing at all of the others."""
    return b"".join(
        f"id: {c.id}\nevent: item\ndata: {json.dumps({'item': c.item_id, 'kind': c.kind, 'version': c.version})}"
        f"\n\n".encode() for c in changes if sight.sees_units(c.unit_ids))


@bp.route("/board/card/<id:item_id>")
@login_required
def card(item_id: int) -> Response:
    """One card as the board with these filters draws it, and its lane (header `Tracker-Lane`); 204 when the
    card is not on that board (moved off by a filter, or no longer the reader's to see): the page removes it."""
    args = BoardArgs.parse(forms.query(page_forms.BoardQuery()))
    filters = args.filters_with()
    if filters.ids is not None and item_id not in filters.ids:
        return make_response("", 204)
    data = boards.board(dataclasses.replace(filters, ids=(item_id,)), actor=current_user, deadlines=deadlines(),
                        swimlanes=args.lanes, limit=1, sort=args.sort)
    for lane in data["lanes"]:
        for column in lane["columns"]:
            for found in column["cards"]:
                response = make_response(render_template("board/_card.html", c=found, args=args))
                response.headers["Tracker-Lane"] = "" if lane["key"] is None else str(lane["key"])
                return response
    return make_response("", 204)


# The pages that are live: the last change is read before their view reads anything (note_where_pages_begin),
# so a change committed while the view reads is replayed to the page rather than lost.
LIVE_PAGES = frozenset({"boards.show", "cards.detail", "review.queue", "office.workspace_page", "dashboard.show",
                        "wall.show"})


def note_where_pages_begin() -> None:
    """Before a live page's view: the last change it can have seen (one indexed query)."""
    if request.endpoint in LIVE_PAGES and request.method == "GET":
        g.live_since = live_events.last_id()


def live_meta(*, region: str | None = None, item: int | None = None) -> Markup:
    """The tags that make a page live (read by static/live.js): its stream, from the last change the page has
    seen, and what to refetch on a change: an item's detail (`item`) or the parts named by CSS selectors
    (`region`); a board needs neither, it refetches the cards that changed."""
    since = g.live_since if "live_since" in g else live_events.last_id()
    tags = [Markup('<meta name="live-stream" content="{}">').format(url_for("live.stream", since=since))]
    if item is not None:
        tags.append(Markup('<meta name="live-item" content="{}">').format(item))
    if region:
        tags.append(Markup('<meta name="live-region" content="{}">').format(region))
    return Markup("\n").join(tags)
