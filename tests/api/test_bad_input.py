"""Bad input of every kind the issue names: a 4xx in the error shape, and nothing changed."""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest
import sqlalchemy as sa
from tests.api.api_helpers import ApiClient, assert_error, item_state

from tracker.extensions import db
from tracker.models import ItemStatus, User, WorkItem


@pytest.fixture
def card(make_item: Callable[..., WorkItem]) -> WorkItem:
    return make_item("sfj", status=ItemStatus.IN_PROGRESS, due=date(2023, 6, 30))


@pytest.fixture
def unit_api(api_as: Callable[..., ApiClient], sfj_admin: User) -> ApiClient:
    return api_as(sfj_admin)


def move(client: ApiClient, item_id: int, body: object, **kwargs: object) -> object:
    return client.post(f"/items/{item_id}/move", json=body, **kwargs)


def test_malformed_json_is_400_and_changes_nothing(unit_api: ApiClient, card: WorkItem) -> None:
    before = item_state(card.id)
    response = unit_api.post(f"/items/{card.id}/move", data='{"to": "submitted", "version": ',
                             content_type="application/json")
    assert_error(response, 400, "malformed_json")
    assert item_state(card.id) == before


def test_a_body_that_is_not_an_object_is_422(unit_api: ApiClient, card: WorkItem) -> None:
    before = item_state(card.id)
    assert_error(unit_api.post(f"/items/{card.id}/move", data=json.dumps([1, 2]),
                               content_type="application/json"), 422)
    assert item_state(card.id) == before


def test_unknown_fields_are_refused(unit_api: ApiClient, card: WorkItem) -> None:
    before = item_state(card.id)
    body = assert_error(move(unit_api, card.id, {"to": "assigned", "version": card.version, "status": "done"}),
                        422, "validation_error")
    assert "status" in body["errors"]
    assert item_state(card.id) == before


@pytest.mark.parametrize("body", [
    {"to": "in_progress", "version": "1"},
    {"to": 3, "version": 1},
    {"to": "in_progress", "version": 1.5},
    {"to": "in_progress", "version": True},
    {"to": "in_progress", "version": 1, "before": "7"},
    {"to": ["in_progress"], "version": 1},
])
def test_wrong_types_are_refused(unit_api: ApiClient, card: WorkItem, body: dict[str, object]) -> None:
    before = item_state(card.id)
    assert_error(move(unit_api, card.id, body), 422, "validation_error")
    assert item_state(card.id) == before


def test_huge_strings_are_refused(api_as: Callable[..., ApiClient], office: User, card: WorkItem) -> None:
    client = api_as(office)
    before = item_state(card.id)
    body = assert_error(client.patch(f"/items/{card.id}", json={"title": "长" * 100_000,
                                                                "version": card.version}), 422)
    assert "title" in body["errors"]
    assert item_state(card.id) == before


@pytest.mark.parametrize("path", ["/items/9223372036854775808", "/items/99999999999999999999999",
                                  "/items/-1", "/items/0x10"])
def test_ids_out_of_range_in_the_path_are_404(unit_api: ApiClient, path: str) -> None:
    assert_error(unit_api.get(path), 404)


@pytest.mark.parametrize("field", ["before", "after", "version"])
def test_ids_out_of_range_in_the_body_are_422(unit_api: ApiClient, card: WorkItem, field: str) -> None:
    before = item_state(card.id)
    body = {"to": "in_progress", "version": card.version} | {field: 2**63}
    assert field in assert_error(move(unit_api, card.id, body), 422)["errors"]
    assert item_state(card.id) == before


def test_ids_out_of_range_in_the_query_are_422(unit_api: ApiClient) -> None:
    assert "cursor" in assert_error(unit_api.get(f"/items?cursor={2**63}"), 422)["errors"]


def test_an_impossible_date_is_refused_and_creates_nothing(api_as: Callable[..., ApiClient], office: User,
                                                           card: WorkItem) -> None:
    client = api_as(office)
    count = db.session.execute(sa.select(sa.func.count()).select_from(WorkItem)).scalar()
    body = assert_error(client.post("/items", json={
        "task_id": card.task_id, "phase_id": card.phase_id, "unit_ids": [card.unit_id], "title": "x",
        "due_date": "2023-02-30"}), 422)
    assert "due_date" in body["errors"]
    assert db.session.execute(sa.select(sa.func.count()).select_from(WorkItem)).scalar() == count


def test_an_impossible_extension_date_is_refused(unit_api: ApiClient, card: WorkItem) -> None:
    before = item_state(card.id)
    body = assert_error(unit_api.post(f"/items/{card.id}/extensions", json={"due": "2023-02-30",
                                                                            "reason": "x"}), 422)
    assert "due" in body["errors"]
    assert item_state(card.id) == before


def test_a_move_to_an_unknown_status_is_refused(unit_api: ApiClient, card: WorkItem) -> None:
    before = item_state(card.id)
    assert "to" in assert_error(move(unit_api, card.id, {"to": "archived", "version": card.version}),
                                422)["errors"]
    assert item_state(card.id) == before


@pytest.mark.parametrize("unit_key, status, side, refusal, code", [
    ("sfj", ItemStatus.ASSIGNED, "before", 422, "anchor_not_in_column"),  # a card in another column
    ("gaj", ItemStatus.IN_PROGRESS, "after", 404, "anchor_not_found"),  # a card on another unit's board
], ids=["in-another-column", "on-another-units-board"])
def test_a_move_next_to_a_card_it_cannot_stand_beside_is_refused(
        unit_api: ApiClient, card: WorkItem, make_item: Callable[..., WorkItem], unit_key: str, status: ItemStatus,
        side: str, refusal: int, code: str) -> None:
    anchor = make_item(unit_key, status=status)
    before = item_state(card.id)
    assert_error(move(unit_api, card.id, {"to": "in_progress", side: anchor.id, "version": card.version}),
                 refusal, code)
    assert item_state(card.id) == before


def test_a_replayed_stale_version_is_409_and_changes_nothing(unit_api: ApiClient, card: WorkItem,
                                                             make_item: Callable[..., WorkItem]) -> None:
    stale = card.version
    assert move(unit_api, card.id, {"to": "in_progress", "version": stale}).status_code == 200
    before = item_state(card.id)
    body = assert_error(move(unit_api, card.id, {"to": "submitted", "note": "报告", "version": stale}),
                        409, "stale_version")
    assert body["errors"] == {"version": [str(card.version)]}
    assert item_state(card.id) == before


def test_control_characters_are_refused_before_they_reach_the_database(unit_api: ApiClient,
                                                                       card: WorkItem) -> None:
    before = item_state(card.id)
    body = assert_error(move(unit_api, card.id, {"to": "in_progress", "version": card.version,
                                                 "note": "报告\x00"}), 422)
    assert body["errors"] == {"note": ["不能包含控制字符或非字符(如 U+FFFE)"]}
    assert_error(unit_api.post("/tokens", json={"name": "e\x00Y"}), 422)
    assert item_state(card.id) == before


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

