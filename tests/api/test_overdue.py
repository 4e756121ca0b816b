"""The overdue list in one call (GET /overdue): every overdue item the caller may see, lean rows, no pages."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import Flask
from tests.api.api_helpers import ApiClient
from tests.conftest import NOW

from tracker.extensions import db
from tracker.models import ItemStatus, ItemTemplate, Plan, TaskParameter, User, WorkItem
from tracker.schemas.overdue import OverdueRowOut
from tracker.services.ledger import escalation
from tracker.services.plan import plans
from tracker.services.work.overdue import ROW_FIELDS
from tracker.settings import settings as settings_of


def red_cards(client: ApiClient, query: str = "") -> list[dict[str, Any]]:
    """Every red card through the paged list, following its Link header."""
    path, cards = f"/items?light=red&limit=1000{query}", []
    while path:
        response = client.get(path)
        cards += response.get_json()
        link = response.headers.get("Link")
        path = link.split(">", 1)[0].lstrip("<").split("/api/v1", 1)[1] if link else ""
    return cards


def test_the_office_gets_every_overdue_item_of_the_plan_in_one_answer(
        app: Flask, api_as: Callable[..., ApiClient], office: User, plan: Plan,
        make_item: Callable[..., WorkItem]) -> None:
    """The database writes the answer (JSON built in SQL): each row equals the card the paged list shows, titles
    with their plan values and open levels included, and holds to OverdueRowOut."""
    make_item("sfj", due=date(2023, 1, 31), title="逾期甲")
    make_item("sfj", status=ItemStatus.DONE, due=date(2023, 1, 31), title="已办结不算")
    make_item("gaj", due=date(2023, 12, 31), title="未到期不算")
    make_item("jiaqu", status=ItemStatus.IN_PROGRESS, due=date(2023, 3, 1))
    escalation.scan(now=NOW, ladder=settings_of(app).ladder, timezone="Asia/Shanghai")  # 提醒 to 通报 on it
    lectures = db.session.scalars(sa.select(ItemTemplate).where(ItemTemplate.key == "lectures")).one()
    params = {p.key: p.id for p in db.session.scalars(sa.select(TaskParameter).where(
        TaskParameter.task_id == lectures.task_id))}
    plans.set_parameters(plan, actor=office, now=NOW, values={params["lectures_per_year"]: "4"})
    templated = db.session.scalars(sa.select(WorkItem).where(WorkItem.template_id == lectures.id)).first()
    assert templated is not None
    templated.due_date = date(2023, 2, 1)  # a templated title among the overdue
    db.session.commit()
    client = api_as(office)
    response = client.get(f"/overdue?plan={plan.id}")
    assert response.status_code == 200 and "Link" not in response.headers
    rows = response.get_json()
    cards = {card["id"]: card for card in red_cards(client, f"&plan={plan.id}")}
    assert len(rows) == len(cards) > 1
    assert [(r["due_date"], r["id"]) for r in rows] == sorted((r["due_date"], r["id"]) for r in rows)
    for row in rows:
        assert tuple(row) == ROW_FIELDS and not OverdueRowOut().validate(row)
        card = cards[row["id"]]
        assert row == {name: card[name] for name in ROW_FIELDS}
        assert row["days_overdue"] > 0 and row["status"] != "done"
    assert any(row["open_level"] for row in rows) and any("不少于4次" in row["title"] for row in rows)
    assert client.get("/overdue").get_json() == rows  # the latest plan by default


def test_a_unit_sees_its_own_overdue_items_and_a_unit_filter_narrows(
        api_as: Callable[..., ApiClient], office: User, gaj_admin: User, unit: Callable,
        make_item: Callable[..., WorkItem]) -> None:
    make_item("gaj", due=date(2023, 2, 1))
    make_item("sfj", due=date(2023, 2, 1))
    mine = api_as(gaj_admin).get("/overdue").get_json()
    assert mine and {row["id"] for row in mine} == {card["id"] for card in red_cards(api_as(gaj_admin))}
    assert api_as(office).get(f"/overdue?unit={unit('gaj').id}").get_json() == [
        row for row in mine if row["unit_id"] == unit("gaj").id]
    assert api_as(gaj_admin).get(f"/overdue?unit={unit('sfj').id}").get_json() == []  # not its to see
    assert api_as(office).get("/overdue?plan=999999").get_json() == []
    assert api_as(office).get("/overdue?page=2").status_code == 422


def test_the_overdue_list_runs_the_same_queries_for_5_and_50_more_items_and_answers_304_unchanged(
        api_as: Callable[..., ApiClient], office: User, make_item: Callable[..., WorkItem],
        count_queries: Callable) -> None:
    client = api_as(office)
    counts = []
    for extra in (5, 45):
        for _ in range(extra):
            make_item("sfj", due=date(2023, 3, 1))
        db.session.commit()
        with count_queries() as statements:
            assert client.get("/overdue").status_code == 200
        counts.append(len([s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE"))]))
    assert counts[0] == counts[1] == 5, counts  # token, change mark, plan, X values, the list (open levels in it)
    etag = client.get("/overdue").headers["ETag"]
    assert client.get("/overdue", headers={"If-None-Match": etag}).status_code == 304
