"""Bulk decisions on the office's pages (issue 22): checkboxes and a bulk bar on the board and the review queue,
"all N matching the current filter" taken from the board's own filter, a confirmation page that shows the count
and the action and changes nothing, and a result page listing what was done and what was refused, and why."""
from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.bulk_helpers import NOW, event_count, plan_items
from tracker import limits
from tracker.extensions import db
from tracker.models import Event, ExtensionStatus, ItemStatus, Task, WorkItem
from tracker.services.work import deadline_extensions, items


def picked(found: list[WorkItem]) -> list[str]:
    return [f"{item.id}:{item.version}" for item in found]


def hidden_items(html: str) -> list[str]:
    return re.findall(r'<input type="hidden" name="items" value="([0-9]+:[0-9]+)">', html)


def test_the_offices_board_has_a_checkbox_per_card_and_the_bulk_bar(sign_in, people):
    page = sign_in(people["office"]).get("/board").get_data(as_text=True)
    assert 'class="bulk-pick" form="bulk-form"' in page
    assert 'id="bulk-form"' in page and "按当前筛选条件全选 1278 项" in page


def test_a_unit_admin_has_neither_checkboxes_nor_the_bulk_bar(sign_in, people):
    page = sign_in(people["sfj_admin"]).get("/board").get_data(as_text=True)
    assert "bulk-pick" not in page and "bulk-form" not in page


def test_all_matching_the_filter_is_the_boards_own_count_confirmed_before_anything_is_done(sign_in, people, plan):
    task = db.session.execute(sa.select(Task).where(Task.plan_id == plan.id, Task.number == 8)).scalar_one()
    client = sign_in(people["office"])
    board = client.get(f"/board?task={task.id}").get_data(as_text=True)
    count = int(re.search(r"按当前筛选条件全选 ([0-9]+) 项", board)[1])  # type: ignore[index]
    expected = db.session.execute(sa.select(sa.func.count()).select_from(WorkItem).where(
        WorkItem.task_id == task.id, WorkItem.cancelled_at.is_(None))).scalar()
    assert count == expected and 0 < count <= limits.BULK_ITEMS
    before = event_count()
    last_event = db.session.execute(sa.select(sa.func.max(Event.id))).scalar()

    confirm = client.post(f"/bulk/confirm?task={task.id}", data={"action": "redate", "scope": "filter"})

    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and event_count() == before
    assert f"调整截止日期:共 {count} 项" in page and len(hidden_items(page)) == count
    assert 'name="due_date"' in page and 'name="reason"' in page

    result = client.post("/bulk/redate", data={"items": hidden_items(page), "due_date": "2024-09-30",
                                               "reason": "统一调整进度安排"})

    assert result.status_code == 200
    assert f"已办理 {count} 项,未予办理 0 项" in result.get_data(as_text=True)
    edits = db.session.execute(sa.select(sa.func.count()).select_from(Event).where(
        Event.action == "item.edit", Event.id > last_event)).scalar()
    assert edits == count
    assert set(db.session.scalars(sa.select(WorkItem.due_date).where(WorkItem.task_id == task.id))) == \
        {date(2024, 9, 30)}


def test_more_than_the_limit_matching_is_refused_at_the_confirmation_with_words(sign_in, people):
    refused = sign_in(people["office"]).post("/bulk/confirm", data={"action": "approve", "scope": "filter"})
    assert refused.status_code == 422
    assert f"一次最多批量办理 {limits.BULK_ITEMS} 项,本次选择了 1278 项" in refused.get_data(as_text=True)


def test_the_review_queue_approves_in_bulk_and_lists_the_stale_item_refused_with_its_reason(sign_in, people,
                                                                                            make_item):
    chosen = [make_item("sfj", status=ItemStatus.SUBMITTED, title=f"批量审核事项{n}") for n in range(3)]
    client = sign_in(people["office"])
    queue = client.get("/office/").get_data(as_text=True)
    assert 'form="bulk-queue-form"' in queue and "待审核全部 3 项" in queue
    confirm = client.post("/bulk/confirm", data={"action": "approve", "scope": "queue", "next": "/office/"})
    sent = hidden_items(confirm.get_data(as_text=True))
    assert sorted(sent) == sorted(picked(chosen))
    stale = chosen[1]
    items.edit_item(stale, actor=people["office"], changes={"title": "已改名"}, expected_version=stale.version,
                    now=NOW)
    before = event_count()

    result = client.post("/bulk/approve", data={"items": sent, "next": "/office/"})

    page = result.get_data(as_text=True)
    assert "已办理 2 项,未予办理 1 项" in page
    refused = page[page.index('class="bulk-refused"'):page.index('class="bulk-done"')]
    assert "已改名" in refused and f"当前版本 {stale.version}" in refused
    assert event_count() == before + 2
    assert 'href="/office/"' in page


def test_ticked_cards_are_confirmed_with_their_titles_and_returned_with_one_reason(sign_in, people, make_item):
    chosen = [make_item("sfj", status=ItemStatus.SUBMITTED, title=f"勾选事项{n}") for n in range(2)]
    client = sign_in(people["office"])
    confirm = client.post("/bulk/confirm", data={"action": "return", "scope": "picked", "items": picked(chosen)})
    page = confirm.get_data(as_text=True)
    assert "勾选事项0" in page and "勾选事项1" in page and "退回(须说明理由):共 2 项" in page
    result = client.post("/bulk/return", data={"items": hidden_items(page), "reason": "佐证材料不全"})
    assert "已办理 2 项" in result.get_data(as_text=True)
    db.session.expire_all()
    assert {(item.status, item.last_return_reason) for item in chosen} == {(ItemStatus.IN_PROGRESS, "佐证材料不全")}


@pytest.mark.parametrize("action", ["grant", "refuse"])
def test_extension_requests_are_decided_in_bulk_from_the_page(sign_in, people, make_item, action):
    chosen = [make_item("sfj", status=ItemStatus.IN_PROGRESS, due=date(2023, 6, 30)) for _ in range(2)]
    requests = [deadline_extensions.request_extension(item, actor=people["sfj_admin"], due=date(2023, 8, 31),
                                                      reason="汛期", now=NOW) for item in chosen]
    result = sign_in(people["office"]).post(f"/bulk/{action}", data={"items": picked(chosen), "note": "统一答复"})
    assert "已办理 2 项" in result.get_data(as_text=True)
    db.session.expire_all()
    wanted = ExtensionStatus.GRANTED if action == "grant" else ExtensionStatus.REFUSED
    assert [request.status for request in requests] == [wanted, wanted]


def test_a_new_lead_unit_is_chosen_on_the_confirmation_page(sign_in, people, make_item, unit):
    chosen = [make_item("sfj"), make_item("sfj")]
    client = sign_in(people["office"])
    page = client.post("/bulk/confirm", data={"action": "reassign", "items": picked(chosen)}).get_data(as_text=True)
    assert 'name="lead_unit_id"' in page
    gaj = unit("gaj")
    result = client.post("/bulk/reassign", data={"items": hidden_items(page), "lead_unit_id": str(gaj.id)})
    assert "已办理 2 项" in result.get_data(as_text=True)
    db.session.expire_all()
    assert {item.unit_id for item in chosen} == {gaj.id}


def test_a_unit_admin_is_refused_the_bulk_pages(sign_in, people, make_item):
    item = make_item("sfj", status=ItemStatus.SUBMITTED)
    client = sign_in(people["sfj_admin"])
    before = event_count()
    assert client.post("/bulk/confirm", data={"action": "approve", "items": picked([item])}).status_code == 403
    assert client.post("/bulk/approve", data={"items": picked([item])}).status_code == 403
    assert event_count() == before


@pytest.mark.parametrize("data, words", [
    ({"action": "approve", "items": "12;3"}, "须为“编号:版本号”"),
    ({"action": "approve"}, "请选择要办理的工作项"),
    ({"action": "destroy", "items": "1:1"}, "批量操作:须为以下之一"),
])
def test_a_malformed_choice_is_refused_with_words(sign_in, people, data, words):
    refused = sign_in(people["office"]).post("/bulk/confirm", data=data)
    assert refused.status_code == 422 and words in refused.get_data(as_text=True)


def test_a_return_without_a_reason_changes_nothing(sign_in, people):
    chosen = plan_items(2, ItemStatus.SUBMITTED)
    client = sign_in(people["office"])
    before = event_count()
    refused = client.post("/bulk/return", data={"items": picked(chosen)})
    assert refused.status_code == 422 and "理由" in refused.get_data(as_text=True)
    assert event_count() == before


def test_an_unknown_bulk_action_is_not_found(sign_in, people):
    assert sign_in(people["office"]).post("/bulk/destroy", data={"items": "1:1"}).status_code == 404
