"""The board: columns in workflow order with counts, swimlanes, a per-column limit, and a fixed query count."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import sqlalchemy as sa
from tests.api.api_helpers import ApiClient

from tracker.extensions import db
from tracker.models import ItemStatus, Plan, User, WorkItem


def statuses_in_db(**where: object) -> Counter[str]:
    query = sa.select(WorkItem.status)
    for name, value in where.items():
        query = query.where(getattr(WorkItem, name) == value)
    return Counter(s.value for s in db.session.scalars(query))


def test_the_offices_default_board_is_the_whole_plan_in_workflow_order(api_as: Callable[..., ApiClient],
                                                                       office: User, plan: Plan,
                                                                       make_item: Callable[..., WorkItem]) -> None:
    make_item("sfj", status=ItemStatus.SUBMITTED)
    board = api_as(office).get("/board").get_json()
    assert board["plan_id"] == plan.id
    assert [c["status"] for c in board["columns"]] == ["assigned", "in_progress", "submitted", "done"]
    expected = statuses_in_db(plan_id=plan.id)
    assert {c["status"]: c["count"] for c in board["columns"] if c["count"]} == dict(expected)
    (lane,) = board["lanes"]
    for col in lane["columns"]:
        positions = [card["position"] for card in col["cards"]]
        assert positions == sorted(positions) and len(positions) == col["count"]


def test_a_units_default_board_is_its_own_unit(api_as: Callable[..., ApiClient], gaj_admin: User,
                                               unit: Callable) -> None:
    board = api_as(gaj_admin).get("/board").get_json()
    cards = [c for lane in board["lanes"] for col in lane["columns"] for c in col["cards"]]
    assert cards and {c["unit_id"] for c in cards} == {unit("gaj").id}
    assert sum(c["count"] for c in board["columns"]) == sum(statuses_in_db(unit_id=unit("gaj").id).values())


def test_swimlanes_by_unit_and_a_column_limit_keep_whole_counts(api_as: Callable[..., ApiClient], office: User,
                                                                unit: Callable) -> None:
    board = api_as(office).get("/board?swimlanes=unit&limit=2").get_json()
    lanes = {lane["key"]: lane for lane in board["lanes"]}
    sfj = lanes[unit("sfj").id]
    assert sfj["title"] == unit("sfj").short_name
    assigned = sfj["columns"][0]
    assert len(assigned["cards"]) == 2 and assigned["count"] == statuses_in_db(unit_id=unit("sfj").id)["assigned"]
    assert all(len(col["cards"]) <= 2 for lane in board["lanes"] for col in lane["columns"])


def test_swimlanes_by_group_and_task(api_as: Callable[..., ApiClient], office: User, plan: Plan) -> None:
    client = api_as(office)
    groups = client.get("/board?swimlanes=group&limit=1").get_json()["lanes"]
    assert [lane["key"] for lane in groups] == [g.id for g in plan.groups]
    tasks = client.get("/board?swimlanes=task&limit=1").get_json()["lanes"]
    assert [lane["title"].split(".")[0] for lane in tasks] == [str(t.number) for t in plan.tasks
                                                                 if any(lane["key"] == t.id for lane in tasks)]


def test_board_and_list_run_the_same_number_of_queries_for_5_and_50_more_cards(
        api_as: Callable[..., ApiClient], office: User, make_item: Callable[..., WorkItem],
        count_queries: Callable) -> None:
    client = api_as(office)

    def queries(path: str) -> int:
        with count_queries() as statements:
            assert client.get(path).status_code == 200
        return len([s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE"))])  # the tests' own

    counts = []
    for extra in (5, 45):
        for _ in range(extra):
            make_item("sfj")
        db.session.commit()
        counts.append((queries("/board"), queries("/board?swimlanes=task&limit=3"), queries("/items?limit=500")))
    assert counts[0] == counts[1]
    # token, change mark, then (streamed) the caller read again, plan, X values, board / token, mark, plan, X
    # values, board / token, mark, X values, list
    assert counts[0] == (6, 5, 4), counts


def test_the_api_board_sorts_by_urgency_on_request_and_refuses_an_unknown_sort(api_as, office, make_item):
    from datetime import date
    later = make_item("sfj", title="接口排序甲", due=date(2023, 12, 31))
    oldest = make_item("sfj", title="接口排序乙", due=date(2023, 1, 31))
    client = api_as(office)
    cards = client.get("/board?q=接口排序&sort=urgency").get_json()["lanes"][0]["columns"][0]["cards"]
    assert [c["id"] for c in cards] == [oldest.id, later.id] and cards[0]["open_level"] is None
    assert [c["id"] for c in client.get("/board?q=接口排序").get_json()["lanes"][0]["columns"][0]["cards"]] == [
        later.id, oldest.id]
    assert client.get("/board?sort=random").status_code == 422


def test_an_unchanged_board_is_304_in_two_queries_and_a_move_changes_its_etag(
        api_as: Callable[..., ApiClient], office: User, sfj_admin: User, make_item: Callable[..., WorkItem],
        count_queries: Callable) -> None:
    item = make_item("sfj")
    client = api_as(office)
    etag = client.get("/board?limit=5").headers["ETag"]
    with count_queries() as statements:
        unchanged = client.get("/board?limit=5", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b"" and unchanged.headers["ETag"] == etag
    assert len([s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE"))]) == 2  # token, change mark
    assert api_as(sfj_admin).post(f"/items/{item.id}/move", json={"to": "in_progress", "version": item.version}
                                  ).status_code == 200
    changed = client.get("/board?limit=5", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_boards_etag_differs_by_caller_and_by_query(api_as: Callable[..., ApiClient], office: User,
                                                        leader: User) -> None:
    tags = {api_as(office).get("/board?limit=1").headers["ETag"], api_as(leader).get("/board?limit=1").headers["ETag"],
            api_as(office).get("/board?limit=2").headers["ETag"]}
    assert len(tags) == 3


def test_lean_board_cards_carry_only_the_fields_asked_and_their_id(api_as: Callable[..., ApiClient],
                                                                    office: User) -> None:
    board = api_as(office).get("/board?limit=3&fields=title,light").get_json()
    cards = [card for lane in board["lanes"] for col in lane["columns"] for card in col["cards"]]
    assert cards and all(list(card) == ["id", "title", "light"] for card in cards)


def test_a_gzipped_board_still_answers_304_to_its_etag(api_as: Callable[..., ApiClient], office: User) -> None:
    client = api_as(office)
    packed = client.get("/board?limit=5", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip" and packed.headers["ETag"].startswith("W/")
    again = client.get("/board?limit=5", headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304
