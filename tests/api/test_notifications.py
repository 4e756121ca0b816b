"""The API's to-do list and notifications; a notice cannot be answered; bad input is a 422 and changes nothing."""
from __future__ import annotations

from datetime import date

from tests.api.api_helpers import NOW, assert_error

from tracker.extensions import db
from tracker.models import AccountabilityRecord, ItemStatus, RecordStatus
from tracker.services.work import workflow


def test_a_unit_sees_its_returned_item_in_todo_and_in_its_notifications(api_as, make_item, office, sfj_admin):
    item = make_item("sfj", status=ItemStatus.SUBMITTED, title="被退回的事项")
    workflow.move(item, actor=office, to=ItemStatus.IN_PROGRESS, expected_version=item.version, now=NOW,
                  note="材料不全")
    client = api_as(sfj_admin)
    sections = {s["key"]: s for s in client.get("/todo").get_json()}
    assert list(sections) == ["instructions", "to_answer", "returned", "to_sign", "extension_decisions",
                              "my_contests", "due_soon"]
    assert item.id in [e["item_id"] for e in sections["returned"]["entries"]]
    unread = client.get("/notifications?unread=true").get_json()
    assert unread[0]["kind"] == "item_returned" and unread[0]["item_id"] == item.id
    count = client.get("/notifications/unread-count").get_json()["count"]
    assert client.post(f"/notifications/{unread[0]['id']}/read").get_json()["read_at"] is not None
    assert client.get("/notifications/unread-count").get_json()["count"] == count - 1


def test_the_office_todo_has_its_own_sections_and_a_leader_has_none(api_as, office, leader):
    assert [s["key"] for s in api_as(office).get("/todo").get_json()] == [
        "to_review", "extension_requests", "contests", "to_close", "unanswered_units"]
    assert api_as(leader).get("/todo").get_json() == []


def test_a_reminder_cannot_be_answered_and_a_supervision_notice_is_answered_once_for_the_item(
        api_as, make_item, sfj_admin):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS, due=date(2023, 3, 1))
    remind = AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=1, level_name="提醒",
                                  due_date=item.due_date, reason="逾期 1 天", issued_at=NOW)
    first, second = (AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=3, level_name="督办",
                                          kind=kind, due_date=item.due_date, reason="逾期 16 天", issued_at=NOW,
                                          answer_due=date(2023, 4, 10)) for kind in ("ladder", "manual"))
    db.session.add_all([remind, first, second])
    db.session.flush()
    client = api_as(sfj_admin)
    answer = {"explanation": "人员调整", "remedy_date": "2023-05-01"}
    assert_error(client.post(f"/records/{remind.id}/answer", json=answer), 422, "notice_only")
    assert remind.status == RecordStatus.OPEN
    body = client.post(f"/records/{first.id}/answer", json=answer).get_json()
    assert body["status"] == "answered" and body["owes_answer"] is True
    assert client.get(f"/records/{second.id}").get_json()["status"] == "answered"
    assert client.post(f"/records/{remind.id}/read").get_json()["read_by_id"] == sfj_admin.id


def test_bad_input_is_refused_and_changes_nothing(api_as, office, make_item):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    record = AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=3, level_name="督办",
                                  due_date=item.due_date, reason="逾期", issued_at=NOW, answer_due=date(2023, 4, 10),
                                  answer_text="已整改", status=RecordStatus.ANSWERED)
    db.session.add(record)
    db.session.flush()
    client = api_as(office)
    assert_error(client.get("/notifications?unread=perhaps"), 422)
    assert_error(client.get("/notifications?limit=0"), 422)
    assert_error(client.post("/records/close", json={"record_ids": [], "note": "好"}), 422)
    assert_error(client.post("/records/close", json={"record_ids": [record.id], "note": ""}), 422)
    assert_error(client.post("/records/close", json={"record_ids": [record.id, 2147483647], "note": "好"}), 404)
    assert_error(client.post("/notifications/2147483647/read"), 404)
    db.session.refresh(record)
    assert record.status == RecordStatus.ANSWERED
