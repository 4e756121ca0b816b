"""Moves and reviews over HTTP: the workflow's rules, unchanged, with the card's new version in the answer."""
from __future__ import annotations

from collections.abc import Callable

from tests.api.api_helpers import ApiClient, assert_error, item_state

from tracker.extensions import db
from tracker.models import ItemStatus, User, WorkItem


def column(client: ApiClient, status: str) -> list[int]:
    board = client.get(f"/board?status={status}").get_json()
    return [c["id"] for lane in board["lanes"] for col in lane["columns"] if col["status"] == status
            for c in col["cards"]]


def test_a_unit_signs_and_the_card_lands_on_top_with_a_new_version(api_as: Callable[..., ApiClient],
                                                                    sfj_admin: User,
                                                                    make_item: Callable[..., WorkItem]) -> None:
    item = make_item("sfj")
    client = api_as(sfj_admin)
    response = client.post(f"/items/{item.id}/move", json={"to": "in_progress", "version": item.version})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "in_progress" and body["version"] == item.version
    assert column(client, "in_progress")[0] == item.id


def test_a_card_moves_between_two_others_in_one_call(api_as: Callable[..., ApiClient], sfj_admin: User,
                                                     make_item: Callable[..., WorkItem]) -> None:
    # in_progress before: [c, b, a]    after: [c, moved, b, a]
    a, b, c = (make_item("sfj", status=ItemStatus.IN_PROGRESS) for _ in range(3))
    moved = make_item("sfj")
    client = api_as(sfj_admin)
    top = column(client, "in_progress")[:3]
    response = client.post(f"/items/{moved.id}/move", json={"to": "in_progress", "before": top[1],
                                                             "version": moved.version})
    assert response.status_code == 200, response.get_json()
    assert column(client, "in_progress")[:4] == [top[0], moved.id, top[1], top[2]]
    assert {a.id, b.id, c.id} == set(top)


def test_unit_cannot_approve_its_own_item(api_as: Callable[..., ApiClient], sfj_admin: User,
                                         make_item: Callable[..., WorkItem]) -> None:
    item = make_item("sfj", status=ItemStatus.SUBMITTED)
    client = api_as(sfj_admin)
    before = item_state(item.id)
    assert_error(client.post(f"/items/{item.id}/move", json={"to": "done", "version": item.version}), 403)
    assert_error(client.post(f"/items/{item.id}/review", json={"decision": "approve", "version": item.version}),
                 403)
    assert item_state(item.id) == before


def test_office_approves_a_submitted_item(api_as: Callable[..., ApiClient], office: User,
                                          make_item: Callable[..., WorkItem]) -> None:
    item = make_item("sfj", status=ItemStatus.SUBMITTED)
    response = api_as(office).post(f"/items/{item.id}/review", json={"decision": "approve",
                                                                       "version": item.version})
    assert response.status_code == 200
    assert response.get_json()["status"] == "done" and response.get_json()["light"] is None


def test_a_return_needs_a_reason(api_as: Callable[..., ApiClient], office: User,
                                 make_item: Callable[..., WorkItem]) -> None:
    item = make_item("sfj", status=ItemStatus.SUBMITTED)
    client = api_as(office)
    before = item_state(item.id)
    assert_error(client.post(f"/items/{item.id}/review", json={"decision": "return", "version": item.version}),
                 422, "reason_required")
    assert item_state(item.id) == before
    returned = client.post(f"/items/{item.id}/review", json={"decision": "return", "reason": "佐证材料不全",
                                                              "version": item.version}).get_json()
    assert returned["status"] == "in_progress" and returned["last_return_reason"] == "佐证材料不全"


def test_a_jump_the_workflow_does_not_allow_is_422(api_as: Callable[..., ApiClient], office: User,
                                                   make_item: Callable[..., WorkItem]) -> None:
    item = make_item("office")
    client = api_as(office)
    before = item_state(item.id)
    assert_error(client.post(f"/items/{item.id}/move", json={"to": "done", "version": item.version}),
                 422, "invalid_transition")
    assert item_state(item.id) == before


def test_every_move_is_in_the_items_audit_trail(api_as: Callable[..., ApiClient], sfj_admin: User,
                                                make_item: Callable[..., WorkItem]) -> None:
    item = make_item("sfj")
    client = api_as(sfj_admin)
    client.post(f"/items/{item.id}/move", json={"to": "in_progress", "version": item.version})
    db.session.expire_all()
    actions = [e["action"] for e in client.get(f"/items/{item.id}/events").get_json()]
    assert actions == ["item.create", "item.sign"]
