"""Reaching people on the pages: a person chooses their channels (a bad mobile is refused in Chinese and changes
nothing), a unit's admin sets its group robot and sees its secret only masked afterwards, a message's link
followed by its person stamps it read and leads to the item (followed by a scanner or someone else it reads
nothing), and the ledger's trail shows who was told and when they read it."""
from __future__ import annotations

from datetime import timedelta

from tracker.clock import utcnow
from tracker.extensions import db
from tracker.models import AccountabilityRecord, DeliveryStatus, Notification, PersonMessage, Role
from tracker.services.ledger import reach, reach_config
from tracker.settings import settings


def test_a_person_chooses_channels_and_a_bad_mobile_is_refused_in_chinese(sign_in, make_user):
    person = make_user(Role.UNIT_MEMBER, "sfj")
    client = sign_in(person)
    page = client.get("/account/channels").get_data(as_text=True)
    assert "短信" in page and 'name="mobile"' in page
    refused = client.post("/account/channels", data={"channels": ["sms"], "mobile": "12345"})
    assert refused.status_code == 422 and "手机号码" in refused.get_data(as_text=True)
    assert reach_config.choice_of(person) is None
    saved = client.post("/account/channels", data={"channels": ["dingtalk", "sms"], "mobile": "13800001111"})
    assert saved.status_code == 303
    choice = reach_config.choice_of(person)
    assert choice is not None and choice.channels == ["dingtalk", "sms"] and choice.mobile == "13800001111"


def test_a_units_admin_sets_its_robot_and_sees_the_secret_masked_only(sign_in, make_user, unit):
    admin = make_user(Role.UNIT_ADMIN, "sfj")
    client = sign_in(admin)
    sfj = unit("sfj").id
    key = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
    saved = client.post(f"/units/{sfj}/robots", data={"kind": "wecom", "url": f"http://127.0.0.1:9/send?key={key}",
                                                      "secret": ""})
    assert saved.status_code == 303
    page = client.get(f"/units/{sfj}/robots").get_data(as_text=True)
    assert key not in page and "…5aaa" in page
    assert client.get(f"/units/{unit('gaj').id}/robots").status_code == 403
    assert client.post(f"/units/{sfj}/robots/off", data={"kind": "wecom"}).status_code == 303
    assert reach_config.active_kinds(sfj) == []


def test_a_followed_link_reads_the_notice_and_the_trail_shows_it(client, sign_in, make_item, make_user, office, now):
    item = make_item()
    person = make_user(Role.UNIT_ADMIN, "sfj")
    notice = Notification(unit_id=item.unit_id, kind="record_issued", item_id=item.id, text="督办:《测试工作项》逾期",
                          created_at=now, batch_key="t")
    db.session.add(notice)
    db.session.flush()
    message = PersonMessage(notification_id=notice.id, user_id=person.id, channel="dingtalk", round=1,
                            created_at=now, status=DeliveryStatus.SENT, attempts=1, next_attempt_at=now,
                            delivered_at=now + timedelta(seconds=2))
    db.session.add(message)
    db.session.flush()
    token = reach.read_token(message.id, settings().read_key)
    assert client.get(f"/r/{token[:-1]}x").status_code == 400 and message.read_at is None
    # No one signed in (a carrier's link scanner, a chat app's preview): to the sign-in and back, nothing read.
    scanned = client.get(f"/r/{token}")
    assert scanned.status_code in (302, 303) and "/login?next=/r/" in scanned.headers["Location"]
    assert message.read_at is None and notice.read_at is None
    # Someone else signed in: on to the item, told why it was not marked read.
    other = sign_in(make_user(Role.UNIT_ADMIN, "sfj"))
    passed_on = other.get(f"/r/{token}")
    assert passed_on.status_code == 303 and passed_on.headers["Location"].endswith(f"/items/{item.id}")
    assert "不计为您已读" in other.get(passed_on.headers["Location"]).get_data(as_text=True)
    assert message.read_at is None and notice.read_at is None
    followed = sign_in(person).get(f"/r/{token}")
    assert followed.status_code == 303 and followed.headers["Location"].endswith(f"/items/{item.id}")
    assert message.read_at is not None and notice.read_by_id == person.id
    assert message.read_at <= utcnow()
    record = AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=3, level_name="督办",
                                  due_date=item.due_date, reason="逾期 16 天", issued_at=now)
    db.session.add(record)
    db.session.flush()
    notice.record_id = record.id
    db.session.flush()
    page = sign_in(office).get(f"/records/{record.id}/trail").get_data(as_text=True)
    assert person.display_name in page and "钉钉" in page and "阅读" in page
