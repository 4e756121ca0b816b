"""A whole board is streamed (services/work/board_stream.py) and must be boards.board's JSON, key order aside."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from tests.api.api_helpers import ApiClient

from tracker.models import ItemStatus, User, WorkItem
from tracker.services.work import board_stream, boards
from tracker.services.work.boards import ItemFilters
from tracker.services.work.deadlines import Deadlines


@pytest.mark.parametrize("query", ["", "swimlanes=unit", "swimlanes=group&sort=urgency", "swimlanes=task",
                                   "fields=title,status,offers", "q=没有这样的工作项", "swimlanes=unit&q=没有这样的",
                                   "status=done&sort=changed"])
def test_a_streamed_board_is_the_built_board(api_as: Callable[..., ApiClient], office: User, gaj_admin: User,
                                             make_item: Callable[..., WorkItem], query: str) -> None:
    make_item("gaj", status=ItemStatus.SUBMITTED)
    make_item("sfj", status=ItemStatus.DONE, due=date(2023, 2, 1))
    for person in (office, gaj_admin):
        client = api_as(person)  # one token: making another is a change, and a new ETag
        response = client.get(f"/board?{query}")
        assert response.status_code == 200
        streamed = response.get_json()  # read before the next request, as a server sends it
        limited = client.get(f"/board?{query}{'&' if query else ''}limit=10000").get_json()
        assert streamed["limit"] is None and limited["limit"] == 10000
        assert {**streamed, "limit": 10000} == limited
        unchanged = client.get(f"/board?{query}", headers={"If-None-Match": response.headers["ETag"]})
        assert unchanged.status_code == 304 and unchanged.data == b""


def test_chunks_hold_a_batch_of_cards_each(app, office: User, make_item: Callable[..., WorkItem],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(board_stream, "BATCH", 2)
    for _ in range(5):
        make_item("sfj")
    deadlines = Deadlines(today=date(2023, 4, 3), warning_days=7)
    chunks = list(board_stream.board_chunks(ItemFilters(), actor=office, deadlines=deadlines, swimlanes=None))
    import orjson
    built = boards.board(ItemFilters(), actor=office, deadlines=deadlines, swimlanes=None, limit=None)
    assert len(chunks) > 2 and orjson.loads(b"".join(chunks)) == built
