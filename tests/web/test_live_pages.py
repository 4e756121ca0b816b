"""The live pages' own routes in process: which pages are live, the card a board fetches on a change, and a
worker with no stream thread left."""
from __future__ import annotations

from tracker import live_hub
from tracker.extensions import db
from tracker.models import Role


def test_live_pages_name_their_stream_and_what_they_refetch(sign_in, make_user, make_item):
    item = make_item("sfj")
    db.session.commit()
    client = sign_in(make_user(Role.OFFICE_ADMIN, "office"))
    board = client.get("/board").get_data(as_text=True)
    assert '<meta name="live-stream" content="/live/stream?since=' in board
    page = client.get(f"/items/{item.id}").get_data(as_text=True)
    assert f'<meta name="live-item" content="{item.id}">' in page
    assert '<meta name="live-region" content="main">' in client.get("/dashboard").get_data(as_text=True)
    assert '<meta name="live-region" content="#wall">' in client.get("/dashboard/wall").get_data(as_text=True)


def test_the_board_fetches_a_changed_card_as_its_filters_draw_it(sign_in, make_user, make_item):
    item = make_item("sfj", title="实时卡片")
    client = sign_in(make_user(Role.UNIT_MEMBER, "sfj"))
    shown = client.get(f"/board/card/{item.id}?q=实时卡片")
    assert shown.status_code == 200 and f'id="card-{item.id}"' in shown.get_data(as_text=True)
    assert shown.headers["Tracker-Lane"] == ""
    assert client.get(f"/board/card/{item.id}?q=别的事项").status_code == 204  # filtered off this board


def test_another_units_card_is_never_drawn_for_a_unit(sign_in, make_user, make_item):
    theirs = make_item("jiaqu")
    client = sign_in(make_user(Role.UNIT_MEMBER, "sfj"))
    answer = client.get(f"/board/card/{theirs.id}")
    assert answer.status_code == 204 and answer.get_data() == b""


def test_a_malformed_board_filter_on_a_card_is_refused_with_words(sign_in, make_user, make_item):
    item = make_item("sfj")
    client = sign_in(make_user(Role.OFFICE_ADMIN, "office"))
    assert client.get(f"/board/card/{item.id}?light=purple").status_code == 422


def test_a_worker_with_no_stream_thread_left_asks_the_browser_to_retry_later(sign_in, make_user, monkeypatch,
                                                                              app):
    full = live_hub.Hub(db.engine, capacity=0)
    monkeypatch.setattr(live_hub, "hub_for", lambda engine, capacity: full)
    client = sign_in(make_user(Role.OFFICE_ADMIN, "office"))
    answer = client.get("/live/stream?since=0")
    assert answer.status_code == 200 and answer.mimetype == "text/event-stream"
    assert answer.get_data() == b"retry: 30000\n\n"


def test_a_since_that_is_not_a_number_is_refused(sign_in, make_user):
    client = sign_in(make_user(Role.OFFICE_ADMIN, "office"))
    assert client.get("/live/stream?since=-1").status_code == 422
    assert client.get("/live/stream?since=abc").status_code == 422
