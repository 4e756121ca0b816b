"""Session expiry: the login page says the session ended, logging in returns to the page the person was on (a
path of this site only), and an htmx request that finds the session ended sends the browser to that login."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import time_machine

from tracker.models import ItemStatus

PASSWORD = "Correct-Horse-9"
START = "2024-03-04 09:00:00+08:00"


def sent_to(location: str) -> tuple[str, str | None]:
    """The path a redirect goes to and the page it will come back to."""
    parts = urlsplit(location)
    return parts.path, parse_qs(parts.query).get("next", [None])[0]


def login(client, query: str = ""):
    return client.post(f"/login{query}", data={"username": "clerk", "password": PASSWORD})


def test_an_expired_session_says_so_at_login_and_returns_to_the_page_after(client, clerk, make_item):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    page = f"/items/{item.id}?tab=progress"
    with time_machine.travel(START, tick=False) as clock:
        login(client)
        assert client.get(page).status_code == 200
        clock.shift(timedelta(minutes=31))
        sent = client.get(page)
        assert sent.status_code == 302 and sent_to(sent.headers["Location"]) == ("/login", page)
        html = client.get(sent.headers["Location"]).get_data(as_text=True)
        assert "登录已超时,请重新登录" in html
        action = html[html.index('action="/login') + 8:].split('"')[0].replace("&amp;", "&")
        assert sent_to(action) == ("/login", page)
        back = login(client, f"?next={quote(page, safe='')}")
        assert back.status_code == 302 and back.headers["Location"] == page
        assert "登录已超时" not in client.get("/login").get_data(as_text=True), "said once"


def test_someone_who_never_logged_in_is_not_told_a_session_expired(client):
    sent = client.get("/ledger")
    assert sent_to(sent.headers["Location"]) == ("/login", "/ledger")
    assert "登录已超时" not in client.get(sent.headers["Location"]).get_data(as_text=True)


def test_an_htmx_request_after_expiry_hears_401_with_the_login_and_the_page_it_was_on(client, clerk, make_item):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    with time_machine.travel(START, tick=False) as clock:
        login(client)
        clock.shift(timedelta(minutes=31))
        answer = client.post(f"/items/{item.id}/updates", data={"text": "进展"}, headers={
            "HX-Request": "true", "HX-Current-URL": f"http://localhost/items/{item.id}"})
    assert answer.status_code == 401
    assert sent_to(answer.headers["HX-Redirect"]) == ("/login", f"/items/{item.id}")


def test_a_live_stream_that_finds_the_session_ended_stops_and_leaves_the_next_click_its_way_to_login(
        app, client, clerk, make_item):
    """A board's live stream was the first to find the session ended: it hears 401 (its EventSource stops) and
    does not follow a redirect to the login page; the person's next move, whose form token went with the cleared
    session, is sent to the login page and back, not refused as an expired form."""
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    try:
        with time_machine.travel(START, tick=False) as clock:
            page = login(client)
            board = client.get("/board").get_data(as_text=True)
            token = board.split('<meta name="csrf-token" content="')[1].split('"')[0]
            app.config["WTF_CSRF_ENABLED"] = True  # from here on, as in production
            clock.shift(timedelta(minutes=31))
            assert client.get("/live/stream").status_code == 401
            answer = client.post(f"/items/{item.id}/updates", data={"text": "进展", "csrf_token": token}, headers={
                "HX-Request": "true", "HX-Current-URL": "http://localhost/board"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert page.status_code == 302
    assert answer.status_code == 401 and sent_to(answer.headers["HX-Redirect"]) == ("/login", "/board")


def test_a_form_posted_after_expiry_returns_to_the_page_it_was_posted_from(client, clerk, make_item):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    with time_machine.travel(START, tick=False) as clock:
        login(client)
        clock.shift(timedelta(minutes=31))
        answer = client.post(f"/items/{item.id}/updates", data={"text": "进展"},
                             headers={"Referer": f"http://localhost/items/{item.id}"})
    assert answer.status_code == 302 and sent_to(answer.headers["Location"]) == ("/login", f"/items/{item.id}")


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "/login",
                                    "/%09/evil.example"])
def test_logging_in_never_goes_to_another_site_or_back_to_the_login(client, clerk, target):
    assert login(client, f"?next={quote(target, safe='')}").headers["Location"] == "/"


def test_an_htmx_request_from_another_site_gets_no_next(client, clerk, make_item):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    answer = client.post(f"/items/{item.id}/updates", data={"text": "进展"}, headers={
        "HX-Request": "true", "HX-Current-URL": "https://evil.example/phish"})
    assert answer.status_code == 401 and answer.headers["HX-Redirect"] == "/login"
