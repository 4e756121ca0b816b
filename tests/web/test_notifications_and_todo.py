"""The bell, the notifications page and 我的待办 on the home page, as a unit and as the office."""
from __future__ import annotations

import re
from datetime import date

from tracker.extensions import db
from tracker.clock import utcnow
from tracker.models import AccountabilityRecord, ItemStatus, Notification, RecordStatus, Role
from tracker.services.work import workflow


def bell(html: str) -> int:
    return int(re.search(r'id="bell-count">(\d+)<', html).group(1))


def test_the_bell_counts_up_when_the_office_returns_an_item_and_opening_it_reads_it(sign_in, people, make_item,
                                                                                     now):
    item = make_item("sfj", status=ItemStatus.SUBMITTED, title="待退回事项")
    unit = sign_in(people["sfj_member"])
    before = bell(unit.get("/board").get_data(as_text=True))
    workflow.move(item, actor=people["office"], to=ItemStatus.IN_PROGRESS, expected_version=item.version, now=now,
                  note="请补充会议纪要")
    page = unit.get("/notifications").get_data(as_text=True)
    assert bell(page) == before + 1 and "请补充会议纪要" in page
    notice = db.session.query(Notification).filter_by(item_id=item.id, kind="item_returned").one()
    response = unit.post(f"/notifications/{notice.id}/open")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/items/{item.id}")
    assert notice.read_by_id == people["sfj_member"].id
    assert bell(unit.get("/board").get_data(as_text=True)) == before


def test_another_unit_cannot_open_the_notification(sign_in, people, make_item, now):
    item = make_item("sfj", status=ItemStatus.SUBMITTED)
    workflow.move(item, actor=people["office"], to=ItemStatus.IN_PROGRESS, expected_version=item.version, now=now,
                  note="退回")
    notice = db.session.query(Notification).filter_by(item_id=item.id, kind="item_returned").one()
    assert sign_in(people["other_admin"]).post(f"/notifications/{notice.id}/open").status_code == 404
    assert notice.read_at is None


def test_a_units_todo_lists_the_supervision_notice_to_answer_with_its_deadline(sign_in, people, make_item, now):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS, title="须答复的事项")
    db.session.add(AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=3, level_name="督办",
                                        due_date=item.due_date, reason="逾期 16 天", issued_at=now,
                                        answer_due=date(2099, 1, 5)))
    db.session.flush()
    html = sign_in(people["sfj_admin"]).get("/").get_data(as_text=True)
    section = html[html.index('id="todo-to_answer"'):html.index('id="todo-returned"')]
    assert "须答复的事项" in section and "2099-01-05" in section


def test_the_office_todo_lists_answered_records_to_close(sign_in, people, make_item, now):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS, title="待核销事项")
    db.session.add(AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=3, level_name="督办",
                                        due_date=item.due_date, reason="逾期 16 天", issued_at=now,
                                        answer_due=date(2099, 1, 5), answer_text="已整改", remedy_date=date(2099, 2, 1),
                                        status=RecordStatus.ANSWERED))
    db.session.flush()
    client = sign_in(people["office"])
    assert "待核销事项" in client.get("/").get_data(as_text=True)
    assert "待核销事项" in client.get("/office/").get_data(as_text=True)


def test_the_office_closes_from_the_queue_in_bulk_and_bad_input_changes_nothing(sign_in, people, make_item, now):
    answered = []
    for n in range(2):
        item = make_item("sfj", status=ItemStatus.IN_PROGRESS, title=f"批量核销{n}")
        record = AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=3, level_name="督办",
                                      due_date=item.due_date, reason="逾期", issued_at=now,
                                      answer_due=date(2099, 1, 5), answer_text="已整改", status=RecordStatus.ANSWERED)
        db.session.add(record)
        answered.append(record)
    db.session.flush()
    client = sign_in(people["office"])
    ids = [r.id for r in answered]
    assert client.post("/records/close", data={"record_ids": ids, "note": ""}).status_code == 422
    assert client.post("/records/close", data={"record_ids": ["x"], "note": "好"}).status_code == 422
    assert {r.status for r in answered} == {RecordStatus.ANSWERED}
    assert client.post("/records/close", data={"record_ids": ids, "note": "已整改到位"}).status_code == 303
    assert {r.status for r in answered} == {RecordStatus.CLOSED}


def test_a_leaders_instruction_waits_in_the_units_todo_until_someone_there_opens_it(sign_in, make_item, make_user):
    """It reached a unit only through the bell (issue 20 point 8); opening it from 我的待办 acknowledges it."""
    from tracker.services.work import instructions

    item = make_item("sfj", title="需要批示的事项")
    instructions.instruct(item, actor=make_user(Role.LEADER, "city"), text="请本周内报送进展", now=utcnow())
    client = sign_in(make_user(Role.UNIT_MEMBER, "sfj"))
    home = client.get("/").get_data(as_text=True)
    assert "领导批示待阅知" in home and "需要批示的事项" in home and "请本周内报送进展" in home
    action = home.split('领导批示待阅知')[1].split('action="')[1].split('"')[0]
    assert client.post(action).status_code in (302, 303)
    assert "请本周内报送进展" not in client.get("/").get_data(as_text=True)


def test_the_office_reads_every_leaders_instructions_on_its_follow_up_page(sign_in, make_item, make_user, office):
    from tracker.services.work import instructions

    item = make_item("sfj", title="批示落实事项")
    leader = make_user(Role.LEADER, "city")
    instructions.instruct(item, actor=leader, text="请抓紧", now=utcnow())
    page = sign_in(office).get("/instructions")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "批示落实" in text and leader.display_name in text and "批示落实事项" in text
    assert 'id="propose"' not in text  # the office follows; only leaders raise 批示件
