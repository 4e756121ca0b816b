"""A person's channels through the API (`/me/channels`): read, set, and every kind of bad input refused with the
one error shape and nothing changed; a record's trail for those who may see the record."""
from __future__ import annotations

import pytest
from tests.api.api_helpers import NOW, assert_error

from tracker.extensions import db
from tracker.models import AccountabilityRecord, ItemStatus, Notification, Role
from tracker.services.ledger import reach_config


def test_a_person_reads_and_sets_their_channels(api_as, make_user):
    person = make_user(Role.UNIT_MEMBER, "sfj")
    api = api_as(person)
    assert api.get("/me/channels").get_json() == {"channels": [], "mobile": None, "robots": [], "sms": False}
    answer = api.put("/me/channels", json={"channels": ["feishu", "sms"], "mobile": "13912345678"})
    assert answer.status_code == 200 and answer.get_json()["channels"] == ["feishu", "sms"]
    assert reach_config.choice_of(person).mobile == "13912345678"


@pytest.mark.parametrize("body, status", [
    ('{"channels": ["sms"], "mobile": 13912345678}', 422),  # a number, not text
    ('{"channels": ["sms"], "mobile": "13912345678", "pager": true}', 422),  # unknown field
    ('{"channels": "sms", "mobile": "13912345678"}', 422),  # not a list
    ('{"channels": ["pager"]}', 422),  # no such channel
    ('{"channels": ["sms"], "mobile": "1391234567890123456789"}', 422),  # too long
    ('{"channels": ["sms"]}', 422),  # SMS without a mobile
    ('{"channels": ["sms"', 400),  # malformed JSON
])
def test_bad_channel_input_is_refused_and_changes_nothing(api_as, make_user, body, status):
    person = make_user(Role.UNIT_MEMBER, "sfj")
    answer = api_as(person).put("/me/channels", data=body, headers={"Content-Type": "application/json"})
    assert_error(answer, status)
    db.session.expire_all()
    assert reach_config.choice_of(person) is None


def test_the_trail_is_for_those_who_may_see_the_record(api_as, make_item, make_user, office):
    item = make_item("jiaqu", status=ItemStatus.IN_PROGRESS)
    record = AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=3, level_name="督办",
                                  due_date=item.due_date, reason="逾期 16 天", issued_at=NOW)
    db.session.add(record)
    db.session.flush()
    db.session.add(Notification(unit_id=item.unit_id, kind="record_issued", item_id=item.id, record_id=record.id,
                                text="督办", created_at=NOW, batch_key="t"))
    trail = api_as(office).get(f"/records/{record.id}/trail")
    assert trail.status_code == 200 and trail.get_json()[0]["messages"] == []
    assert trail.get_json()[0]["read_at"] is None
    assert_error(api_as(make_user(Role.UNIT_ADMIN, "sfj")).get(f"/records/{record.id}/trail"), 404)
