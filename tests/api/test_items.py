"""Cards: one with its ETag, edits guarded by the version, the filtered list and its cursor pages."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from tests.api.api_helpers import ApiClient, assert_error, item_state

from tracker.extensions import db
from tracker.models import ItemStatus, Plan, User, WorkItem


def test_one_item_carries_its_version_as_etag_and_its_light(api_as: Callable[..., ApiClient], sfj_admin: User,
                                                             make_item: Callable[..., WorkItem]) -> None:
    item = make_item("sfj", due=date(2023, 4, 5))
    response = api_as(sfj_admin).get(f"/items/{item.id}")
    body = response.get_json()
    assert response.headers["ETag"] == f'"{item.version}"'
    assert body["version"] == item.version and body["light"] == "yellow" and body["days_overdue"] == 0


def test_an_overdue_item_is_red_with_its_days_overdue(api_as: Callable[..., ApiClient], sfj_admin: User,
                                                       make_item: Callable[..., WorkItem]) -> None:
    item = make_item("sfj", due=date(2023, 3, 31))
    body = api_as(sfj_admin).get(f"/items/{item.id}").get_json()
    assert body["light"] == "red" and body["days_overdue"] == 3


def test_office_edits_with_if_match_and_gets_the_new_etag(api_as: Callable[..., ApiClient], office: User,
                                                          make_item: Callable[..., WorkItem]) -> None:
    item = make_item("sfj")
    client = api_as(office)
    etag = client.get(f"/items/{item.id}").headers["ETag"]
    response = client.patch(f"/items/{item.id}", json={"title": "修订后的标题", "priority": "high"},
                            headers={"If-Match": etag})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["title"] == "修订后的标题" and response.headers["ETag"] != etag
    assert_error(client.patch(f"/items/{item.id}", json={"title": "再改"}, headers={"If-Match": etag}),
                 409, "stale_version")


def test_an_edit_without_any_version_is_428(api_as: Callable[..., ApiClient], office: User,
                                            make_item: Callable[..., WorkItem]) -> None:
    item = make_item("sfj")
    client = api_as(office)
    before = item_state(item.id)
    assert_error(client.patch(f"/items/{item.id}", json={"title": "无版本"}), 428, "version_required")
    assert item_state(item.id) == before


def test_office_creates_one_card_per_unit(api_as: Callable[..., ApiClient], office: User, unit: Callable,
                                          make_item: Callable[..., WorkItem]) -> None:
    template = make_item("sfj")
    units = [unit("gaj").id, unit("sfj").id, unit("wjw").id]
    response = api_as(office).post("/items", json={
        "task_id": template.task_id, "phase_id": template.phase_id, "unit_ids": units,
        "title": "开展专项检查", "due_date": "2023-09-30", "priority": "high"})
    assert response.status_code == 201
    created = response.get_json()
    assert [c["unit_id"] for c in created] == units
    assert {c["status"] for c in created} == {"assigned"} and {c["due_date"] for c in created} == {"2023-09-30"}


def test_a_unit_lists_only_its_own_items(api_as: Callable[..., ApiClient], gaj_admin: User, unit: Callable,
                                         make_item: Callable[..., WorkItem]) -> None:
    make_item("gaj", title="公安局的新工作")
    listed = api_as(gaj_admin).get("/items?limit=500").get_json()
    assert listed and {c["unit_id"] for c in listed} == {unit("gaj").id}
    assert api_as(gaj_admin).get(f"/items?unit={unit('sfj').id}").get_json() == []


def test_filters_narrow_the_list(api_as: Callable[..., ApiClient], office: User,
                                 make_item: Callable[..., WorkItem]) -> None:
    red = make_item("sfj", due=date(2023, 3, 1), title="逾期的核查工作")
    signed = make_item("sfj", status=ItemStatus.IN_PROGRESS, due=date(2023, 11, 30), title="进行中的工作")
    client = api_as(office)

    def ids(query: str) -> set[int]:
        return {c["id"] for c in client.get(f"/items?limit=500&{query}").get_json()}

    assert red.id in ids("light=red") and signed.id not in ids("light=red")
    assert ids("q=逾期的核查") == {red.id}
    assert signed.id in ids("status=in_progress&status=submitted") and red.id not in ids("status=in_progress")
    assert red.id in ids("due_before=2023-03-02") and signed.id not in ids("due_before=2023-03-02")
    assert ids("q=进行中的工作&due_after=2023-11-29") == {signed.id}
    assert ids("q=进行中的工作&due_after=2023-11-30") == set()
    assert ids("q=进行中的工作&updated_since=2023-04-03T00:00:00Z") == {signed.id}
    assert ids("q=进行中的工作&updated_since=2030-01-01T00:00:00Z") == set()


def test_cursor_pages_follow_the_link_header_in_a_stable_order(api_as: Callable[..., ApiClient], office: User,
                                                               plan: Plan) -> None:
    client = api_as(office)
    total = db.session.execute(sa.select(sa.func.count()).select_from(WorkItem)).scalar()
    seen: list[int] = []
    url = "/items?limit=400"
    while url:
        response = client.get(url)
        seen += [c["id"] for c in response.get_json()]
        link = response.headers.get("Link")
        url = link[link.index("/api/v1") + len("/api/v1"):link.index(">")] if link else ""
    assert len(seen) == total and seen == sorted(seen)


def test_a_leader_editing_without_a_version_hears_403_not_428(api_as: Callable[..., ApiClient], leader: User,
                                                              make_item: Callable[..., WorkItem]) -> None:
    item = make_item("sfj")
    assert_error(api_as(leader).patch(f"/items/{item.id}", json={"title": "改"}), 403, "read_only")


def test_polling_an_unchanged_item_with_its_etag_is_304(api_as: Callable[..., ApiClient], sfj_admin: User,
                                                        make_item: Callable[..., WorkItem]) -> None:
    item = make_item("sfj")
    client = api_as(sfj_admin)
    etag = client.get(f"/items/{item.id}").headers["ETag"]
    assert client.get(f"/items/{item.id}", headers={"If-None-Match": etag}).status_code == 304
    client.post(f"/items/{item.id}/move", json={"to": "in_progress", "version": item.version})
    assert client.get(f"/items/{item.id}", headers={"If-None-Match": etag}).status_code == 200


def test_polling_an_unchanged_list_is_304_and_a_new_card_changes_its_etag(api_as: Callable[..., ApiClient],
                                                                        office: User,
                                                                        make_item: Callable[..., WorkItem]) -> None:
    client = api_as(office)
    etag = client.get("/items?status=assigned").headers["ETag"]
    assert client.get("/items?status=assigned", headers={"If-None-Match": etag}).status_code == 304
    make_item("sfj")
    db.session.commit()
    assert client.get("/items?status=assigned", headers={"If-None-Match": etag}).status_code == 200


def test_a_page_takes_up_to_1000_cards_and_the_default_stays_50(api_as: Callable[..., ApiClient],
                                                                office: User) -> None:
    client = api_as(office)
    assert len(client.get("/items").get_json()) == 50
    assert len(client.get("/items?limit=1000").get_json()) == 1000
    assert_error(client.get("/items?limit=1001"), 422, "validation_error")


def test_lean_cards_carry_only_the_fields_asked_and_an_unknown_field_is_refused(api_as: Callable[..., ApiClient],
                                                                              office: User) -> None:
    client = api_as(office)
    cards = client.get("/items?limit=5&fields=status,due_date,id").get_json()
    assert [list(card) for card in cards] == [["id", "status", "due_date"]] * 5
    assert_error(client.get("/items?fields=title,password_hash"), 422, "validation_error")
