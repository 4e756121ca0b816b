"""One filter of cards for both doors (schemas/filters.py): the board page, its export and the API's list and
board read the same query names into the same ItemFilters, so one link narrows each alike; due dates include
their day, and the API's first names (due_after/due_before, the day left out) still work as documented."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.api_helpers import NOW, ApiClient, assert_error
from tracker.extensions import db
from tracker.models import User, WorkItem
from tracker.services.trust import accounts

from .web_helpers import card_ids

JUNE = "due_from=2023-06-01&due_to=2023-06-30"


@pytest.fixture
def api_for(app: Flask) -> Callable[[User], ApiClient]:
    def make(user: User) -> ApiClient:
        _token, secret = accounts.create_token(user, name="test", actor=user, now=NOW)
        db.session.commit()  # a refused request rolls its transaction back, not the test's own setup
        return ApiClient(app.test_client(), secret)
    return make


@pytest.fixture
def months(make_item: Callable[..., WorkItem]) -> dict[str, WorkItem]:
    """A card due on each edge of June 2023 and one just outside each edge."""
    return {name: make_item("sfj", title=f"筛选测试{name}", due=due) for name, due in (
        ("may31", date(2023, 5, 31)), ("jun1", date(2023, 6, 1)), ("jun30", date(2023, 6, 30)),
        ("jul1", date(2023, 7, 1)))}


def api_ids(api: ApiClient, path: str, query: str) -> set[int]:
    response = api.get(f"{path}?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    if path == "/items":
        return {card["id"] for card in body}
    return {card["id"] for lane in body["lanes"] for column in lane["columns"] for card in column["cards"]}


def test_the_same_filter_gives_the_same_cards_on_the_board_the_list_and_the_api_board(
        sign_in: Callable[[User], FlaskClient], people: dict[str, User], months: dict[str, WorkItem],
        api_for: Callable[[User], ApiClient]) -> None:
    office = people["office"]
    mine = {item.id for item in months.values()}
    page = sign_in(office)
    api = api_for(office)
    for query in (JUNE, "due_from=2023-06-30", "due_to=2023-06-01", "due_after=2023-05-31&due_before=2023-07-01",
                  f"{JUNE}&unit={months['jun1'].unit_id}&q=筛选测试"):
        board = card_ids(page.get(f"/board?q=筛选测试&{query}").get_data(as_text=True)) & mine
        assert board == api_ids(api, "/items", f"q=筛选测试&{query}") & mine, query
        assert board == api_ids(api, "/board", f"q=筛选测试&{query}") & mine, query
    june = card_ids(page.get(f"/board?{JUNE}").get_data(as_text=True)) & mine
    assert june == {months["jun1"].id, months["jun30"].id}


def test_due_bounds_include_their_day_and_the_apis_first_names_leave_it_out(
        people: dict[str, User], months: dict[str, WorkItem], api_for: Callable[[User], ApiClient]) -> None:
    api = api_for(people["office"])
    mine = {item.id for item in months.values()}

    def found(query: str) -> set[str]:
        ids = api_ids(api, "/items", f"limit=1000&q=筛选测试&{query}") & mine
        return {name for name, item in months.items() if item.id in ids}

    assert found(JUNE) == {"jun1", "jun30"}
    assert found("due_after=2023-06-01&due_before=2023-06-30") == set()
    assert found("due_after=2023-05-31&due_before=2023-07-01") == {"jun1", "jun30"}
    assert found("due_after=2023-06-30") == {"jul1"}
    assert found("due_before=2023-06-01") == {"may31"}


@pytest.mark.parametrize("query, field", [
    ("due_from=2023-13-01", "due_from"),  # no such month
    ("due_to=2023-02-30", "due_to"),  # no such day
    ("due_from=1899-12-31", "due_from"),  # before the tracker's calendar
    ("due_before=2200-01-01", "due_before"),  # after it
    ("due_from=2023-07-01&due_to=2023-06-30", "due_to"),  # a range that holds no day
    ("due_from=2023-06-01&due_after=2023-05-31", "due_after"),  # one side given twice
    ("unit=0", "unit"),
    ("plan=99999999999999999999", "plan"),
    ("light=purple", "light"),
    ("due_unto=2023-06-30", "due_unto"),  # unknown
])
def test_a_bad_filter_is_refused_in_words_on_the_board_and_by_the_api(
        sign_in: Callable[[User], FlaskClient], people: dict[str, User], api_for: Callable[[User], ApiClient],
        query: str, field: str) -> None:
    api = api_for(people["office"])
    for path in ("/items", "/board"):
        assert field in assert_error(api.get(f"{path}?{query}"), 422)["errors"], (path, query)
    page = sign_in(people["office"])
    for path in ("/board", "/ledger/items.csv"):
        response = page.get(f"{path}?{query}")
        html = response.get_data(as_text=True)
        assert response.status_code == 422 and "Traceback" not in html, (path, query)
    board = page.get(f"/board?{query}").get_data(as_text=True)
    label = {"unit": "单位", "plan": "计划", "light": "状态灯"}.get(field, field)
    assert "填写的内容有误" in board and (label in board or "截止日期" in board), board


def test_a_board_link_and_its_columns_more_cards_keep_the_filters(
        sign_in: Callable[[User], FlaskClient], people: dict[str, User], months: dict[str, WorkItem]) -> None:
    page = sign_in(people["office"])
    html = page.get(f"/board?{JUNE}&q=筛选测试").get_data(as_text=True)
    assert "due_from=2023-06-01" in html and "due_to=2023-06-30" in html
    assert 'value="2023-06-01"' in html and 'value="2023-06-30"' in html
    more = page.get(f"/board/column?status=assigned&offset=0&{JUNE}&q=筛选测试")
    assert more.status_code == 200
    assert card_ids(more.get_data(as_text=True)) == {months["jun1"].id, months["jun30"].id}
