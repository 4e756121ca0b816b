"""Bodies and query strings that used to reach a 500: refused where requests are parsed, for every route."""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest
from tests.api.api_helpers import ApiClient, assert_error, item_state

from tracker.models import ItemStatus, User, WorkItem


@pytest.fixture
def card(make_item: Callable[..., WorkItem]) -> WorkItem:
    return make_item("sfj", status=ItemStatus.IN_PROGRESS, due=date(2023, 6, 30))


@pytest.fixture
def unit_api(api_as: Callable[..., ApiClient], sfj_admin: User) -> ApiClient:
    return api_as(sfj_admin)


@pytest.mark.parametrize("field", ["note", "to"])
def test_a_lone_surrogate_in_json_is_refused_and_changes_nothing(unit_api, card, field):
    before = item_state(card.id)
    body = {"to": "in_progress", "version": card.version, "note": "ok"} | {field: "PLACEHOLDER"}
    raw = json.dumps(body).replace("PLACEHOLDER", "\\ud800")
    response = unit_api.post(f"/items/{card.id}/move", data=raw, content_type="application/json")
    assert_error(response, 400, "malformed_json")
    assert item_state(card.id) == before


def test_a_lone_surrogate_in_an_extension_request_is_refused(unit_api, card):
    before = item_state(card.id)
    response = unit_api.post(f"/items/{card.id}/extensions", data='{"due": "2023-08-31", "reason": "\\udfff 延期"}',
                             content_type="application/json")
    assert_error(response, 400, "malformed_json")
    assert item_state(card.id) == before


@pytest.mark.parametrize("depth", [200, 1000, 100_000])
def test_json_nested_deeply_is_a_400_not_a_500(unit_api, card, depth):
    before = item_state(card.id)
    raw = '{"to": "in_progress", "version": 1, "note": ' + "[" * depth + "]" * depth + "}"
    assert_error(unit_api.post(f"/items/{card.id}/move", data=raw, content_type="application/json"), 400,
                 "malformed_json")
    assert item_state(card.id) == before


@pytest.mark.parametrize("query", [
    "updated_since=9999-12-31T23:59:59-14:00",
    "updated_since=0001-01-01T00:00:00%2B14:00",
    "updated_since=0001-01-01T00:00:00",
    "due_before=0001-01-01",
    "due_after=9999-12-31",
    "due_before=0000-01-01",
])
def test_out_of_range_dates_in_a_query_string_are_422(unit_api, card, query):
    for path in ("/items", "/board"):
        assert_error(unit_api.get(f"{path}?{query}"), 422, "validation_error")


def test_out_of_range_dates_on_the_records_and_events_feeds_are_422(api_as, office):
    office_api = api_as(office)
    assert_error(office_api.get("/records?issued_to=9999-12-31T23:59:59-14:00"), 422, "validation_error")
    assert_error(office_api.get("/events?since=9999-12-31T23:59:59-14:00"), 422, "validation_error")

