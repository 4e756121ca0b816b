"""Search finds what people type: a unit's full or short name, a task number ("任务8", "8"), the item's words;
and the due-date range filters the board and the ledger."""
from __future__ import annotations

from datetime import date

from tracker.extensions import db
from tracker.models import AccountabilityRecord

from .web_helpers import card_ids


def test_searching_a_unit_name_a_short_name_or_a_task_number_finds_their_items(sign_in, people, make_item):
    police = make_item("gaj", title="规范执法检查")
    district = make_item("yiqu", title="区级清单梳理")
    eighth = make_item("sfj", title="普法宣传", task_number=8)
    other = make_item("sfj", title="无关事项", task_number=3)
    client = sign_in(people["office"])

    def found(q: str) -> set[int]:
        return card_ids(client.get("/board", query_string={"q": q}).get_data(as_text=True))

    assert police.id in found("市公安局") and other.id not in found("市公安局")
    assert district.id in found("乙区") and district.id in found("乙区政府") and police.id not in found("乙区")
    for q in ("任务8", "任务 8", "8", "第8项"):
        assert eighth.id in found(q) and other.id not in found(q), q
    assert other.id in found("无关")


def test_a_unit_searching_another_units_name_finds_nothing_of_theirs(sign_in, people, make_item):
    make_item("gaj", title="公安局的事项")
    html = sign_in(people["sfj_admin"]).get("/board", query_string={"q": "市公安局"}).get_data(as_text=True)
    assert "公安局的事项" not in html


def test_the_due_date_range_filters_the_board_and_the_ledger(sign_in, people, make_item, now):
    early = make_item("sfj", title="五月到期", due=date(2024, 5, 31))
    inside = make_item("sfj", title="六月到期", due=date(2024, 6, 1))
    late = make_item("sfj", title="七月到期", due=date(2024, 7, 1))
    for item in (early, inside, late):
        db.session.add(AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=1, level_name="提醒",
                                            due_date=item.due_date, reason=f"{item.title}的提醒", issued_at=now))
    db.session.flush()
    client = sign_in(people["office"])
    board = card_ids(client.get("/board?due_from=2024-06-01&due_to=2024-06-30").get_data(as_text=True))
    assert inside.id in board and early.id not in board and late.id not in board
    ledger = client.get("/ledger?due_from=2024-06-01&due_to=2024-06-30").get_data(as_text=True)
    assert "六月到期的提醒" in ledger and "五月到期的提醒" not in ledger and "七月到期的提醒" not in ledger
    assert 'value="2024-06-01"' in ledger


def test_a_malformed_due_date_is_refused_in_words(sign_in, people):
    response = sign_in(people["office"]).get("/board?due_from=2024-13-01")
    assert response.status_code in (400, 422) and "截止日期从" in response.get_data(as_text=True)
