"""A 督办 reaches a person: the scan's notices go to the item's person responsible (else the unit's admins) on the
channels they chose, through the one delivery loop to a real robot endpoint on loopback; a robot's refusal is
retried and a message is never sent twice; a link followed by its person stamps it read; unread after the configured time it
goes once more by SMS to a real gateway on loopback; the trail shows who was told, how, and when they read it."""
from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import time
import urllib.parse
from datetime import timedelta

import pytest
import sqlalchemy as sa
from tests.reach.conftest import ALLOW
from tests.reach_helpers import Loopback
from tests.scheduler.sched_helpers import send, sh

from tracker.extensions import db
from tracker.models import AccountabilityRecord, DeliveryStatus, Notification, PersonMessage, Role
from tracker.scheduler import delivery
from tracker.services.ledger import escalation, reach, reach_config, robots

SECRET = "SECtest0123456789"
SCAN = sh(2024, 1, 16, 0, 10)


def scan(settings):
    escalation.scan(now=SCAN, ladder=settings.ladder, timezone=settings.timezone)
    db.session.commit()  # messages go out after the commit


def supervision(item_id: int) -> AccountabilityRecord:
    return db.session.scalars(sa.select(AccountabilityRecord).where(AccountabilityRecord.item_id == item_id,
                                                                    AccountabilityRecord.level == 3)).one()


def messages_of(user_id: int) -> list[PersonMessage]:
    return list(db.session.scalars(sa.select(PersonMessage).where(PersonMessage.user_id == user_id)
                                   .order_by(PersonMessage.id)))


def signed_as_documented(path: str) -> bool:
    """What 钉钉 checks: sign = URL-encoded Base64(HmacSHA256(secret, timestamp + "\\n" + secret))."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    ts = query["timestamp"][0]
    expected = base64.b64encode(hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256).digest())
    return abs(time.time() * 1000 - int(ts)) < 3_600_000 and query["sign"][0] == expected.decode()


def test_a_supervision_reaches_the_person_responsible_on_the_units_robot_once(settings, late_item, responsible,
                                                                                office, now):
    with Loopback() as robot:
        reach_config.configure(actor=office, unit_id=late_item.unit_id, kind="dingtalk",
                               url=robot.url("/robot/send?access_token=t0k"), secret=SECRET, now=now, allow=ALLOW)
        scan(settings)
        assert send(settings, "person_message", now=SCAN)["sent"] == 4  # 提醒, 催办, 督办 and a missed report
        assert send(settings, "person_message", now=SCAN) == {"sent": 0, "failed": 0}  # never twice
    assert all(signed_as_documented(r["path"]) for r in robot.received)
    texts = [json.loads(r["body"])["markdown"]["text"] for r in robot.received]
    record = supervision(late_item.id)
    (told,) = [t for t in texts if t.startswith("### 督办看板:督办记录下发\n\n督办:《河道保洁》")]
    assert "@13800001111" in told and "https://dbkb.example.gov.cn/r/" in told
    assert {json.dumps(json.loads(r["body"])["at"]) for r in robot.received} == {
        '{"atMobiles": ["13800001111"], "isAtAll": false}'}
    assert all(m.status == DeliveryStatus.SENT and m.channel == "dingtalk" for m in messages_of(responsible.id))
    assert record.unit_id == late_item.unit_id


def test_without_a_person_responsible_the_units_admins_are_told_and_members_are_not(late_item, make_user, now):
    admin, member = make_user(Role.UNIT_ADMIN, "sfj"), make_user(Role.UNIT_MEMBER, "sfj")
    rows = db.session.execute(sa.select(Notification.id, Notification.unit_id, Notification.user_id,
                                        Notification.item_id).where(Notification.item_id == late_item.id)).all()
    told = reach.recipients(rows)
    assert rows and all(admin.id in people and member.id not in people for people in told.values())
    late_item.responsible_user_id = member.id
    assert all(people == [member.id] for people in reach.recipients(rows).values())


def test_a_robot_refusing_inside_a_200_is_retried_later_and_logged(settings, late_item, responsible, office, now):
    with Loopback(reply={"errcode": 310000, "errmsg": "sign not match"}) as robot:
        reach_config.configure(actor=office, unit_id=late_item.unit_id, kind="dingtalk",
                               url=robot.url("/robot/send?access_token=t0k"), secret=SECRET, now=now, allow=ALLOW)
        scan(settings)
        assert send(settings, "person_message", now=SCAN) == {"sent": 0, "failed": 4}
        first = messages_of(responsible.id)[0]
        assert first.status == DeliveryStatus.FAILED and "310000" in (first.last_error or "")
        assert send(settings, "person_message", now=SCAN + timedelta(seconds=30)) == {"sent": 0, "failed": 0}
        robot.reply = {"errcode": 0, "errmsg": "ok"}
        assert send(settings, "person_message", now=SCAN + timedelta(minutes=2))["sent"] == 4
    db.session.refresh(first)
    assert first.attempts == 2 and first.delivered_at is not None


def test_a_followed_link_reads_its_own_message_only(settings, late_item, responsible, office, now):
    with Loopback() as robot:
        reach_config.configure(actor=office, unit_id=late_item.unit_id, kind="wecom",
                               url=robot.url("/cgi-bin/webhook/send?key=k"), secret="", now=now, allow=ALLOW)
        reach_config.choose(actor=responsible, channels=["wecom"], mobile=None, now=now)
        scan(settings)
        send(settings, "person_message", now=SCAN)
    first, second = messages_of(responsible.id)[:2]
    token = reach.read_token(first.id, settings.read_key)
    forged = f"{second.id}.{token.partition('.')[2]}"
    assert reach.follow(forged, key=settings.read_key, reader=responsible, now=now) is None
    assert reach.follow("x" + token, key=settings.read_key, reader=responsible, now=now) is None
    assert reach.follow(token, key=b"another key", reader=responsible, now=now) is None
    # a link scanner (no one signed in) and someone else read nothing
    assert reach.follow(token, key=settings.read_key, reader=None, now=now + timedelta(hours=1)) is first
    assert reach.follow(token, key=settings.read_key, reader=office, now=now + timedelta(hours=1)) is first
    notification = db.session.get(Notification, first.notification_id)
    assert first.read_at is None and notification.read_at is None
    assert reach.follow(token, key=settings.read_key, reader=responsible, now=now + timedelta(hours=2)) is first
    assert first.read_at == now + timedelta(hours=2) and second.read_at is None
    assert notification.read_by_id == responsible.id and notification.read_at == first.read_at
    reach.follow(token, key=settings.read_key, reader=responsible, now=now + timedelta(hours=5))
    assert first.read_at == now + timedelta(hours=2)  # the first reading stays


def test_an_unread_supervision_goes_again_by_sms_once_and_the_trail_shows_it(settings, late_item, responsible,
                                                                            office, now):
    with Loopback() as robot, Loopback(reply={"code": 0}) as gateway:
        sms = dataclasses.replace(settings, sms=robots.SmsGateway(gateway.url("/sms/send"), "gw-key"),
                                  resend_after=timedelta(hours=24))
        reach_config.configure(actor=office, unit_id=late_item.unit_id, kind="dingtalk",
                               url=robot.url("/robot/send?access_token=t0k"), secret=SECRET, now=now, allow=ALLOW)
        scan(sms)
        send(sms, "person_message", now=SCAN)
        record = supervision(late_item.id)
        assert delivery.resend_unread(sms, now=SCAN + timedelta(hours=23)) == 0  # not yet
        remind = db.session.scalars(sa.select(Notification).join(
            AccountabilityRecord, AccountabilityRecord.id == Notification.record_id).where(
            AccountabilityRecord.item_id == late_item.id, AccountabilityRecord.level == 1)).one()
        reach.follow(reach.read_token(next(m.id for m in messages_of(responsible.id)
                                           if m.notification_id == remind.id), sms.read_key),
                     key=sms.read_key, reader=responsible, now=SCAN + timedelta(hours=1))  # the 提醒 was read
        db.session.commit()
        # the 催办 and the 督办 go again; the missed-report notice is no ladder notice
        assert delivery.resend_unread(sms, now=SCAN + timedelta(hours=25)) == 2
        assert delivery.resend_unread(sms, now=SCAN + timedelta(hours=26)) == 0  # once
        assert send(sms, "person_message", now=SCAN + timedelta(hours=25))["sent"] == 2
    (got,) = [r for r in gateway.received if "督办:《河道保洁》" in json.loads(r["body"])["text"]]
    assert json.loads(got["body"])["mobile"] == "13800001111"
    assert got["headers"]["X-Sms-Signature"] == robots.sms_signature(
        "gw-key", int(got["headers"]["X-Sms-Timestamp"]), got["body"])
    (entry,) = reach.trail(record.id)
    assert [(m.channel, m.round, m.status, name) for m, name in entry.messages] == [
        ("dingtalk", 1, DeliveryStatus.SENT, responsible.display_name),
        ("sms", 2, DeliveryStatus.SENT, responsible.display_name)]
    assert entry.notification.read_at is None


def test_sms_waits_while_no_gateway_is_configured(settings, late_item, responsible, now):
    reach_config.choose(actor=responsible, channels=["sms"], mobile="13800001111", now=now)
    scan(settings)
    assert send(settings, "person_message", now=SCAN) == {"sent": 0, "failed": 0}
    assert {m.status for m in messages_of(responsible.id)} == {DeliveryStatus.PENDING}


@pytest.mark.parametrize("channels, mobile, code", [
    (["pager"], None, "unknown_channel"), (["sms"], None, "mobile_required"), (["dingtalk"], "12345", "bad_mobile")])
def test_bad_channel_choices_are_refused_and_change_nothing(make_user, now, channels, mobile, code):
    from tracker.errors import Invalid
    person = make_user(Role.UNIT_MEMBER, "sfj")
    with pytest.raises(Invalid) as refused:
        reach_config.choose(actor=person, channels=channels, mobile=mobile, now=now)
    assert refused.value.code == code and reach_config.choice_of(person) is None


def test_only_the_office_or_the_units_own_admin_sets_its_robots_and_secrets_are_never_shown_back(make_user, unit,
                                                                                              office, now):
    from tracker.errors import Invalid, NotAllowed
    sfj = unit("sfj").id
    for outsider in (make_user(Role.UNIT_MEMBER, "sfj"), make_user(Role.UNIT_ADMIN, "gaj"),
                     make_user(Role.LEADER, "city")):
        with pytest.raises(NotAllowed):
            reach_config.configure(actor=outsider, unit_id=sfj, kind="wecom", url="http://127.0.0.1/x", secret="",
                                   now=now, allow=ALLOW)
    with pytest.raises(Invalid):
        reach_config.configure(actor=office, unit_id=sfj, kind="wecom", url="http://10.0.0.1/cgi-bin/webhook",
                               secret="", now=now, allow=ALLOW)
    robot = reach_config.configure(actor=make_user(Role.UNIT_ADMIN, "sfj"), unit_id=sfj, kind="feishu",
                                   url="http://127.0.0.1:9/open-apis/bot/v2/hook/5e3d587e-d78e", secret="s3cr3t-9x",
                                   now=now, allow=ALLOW)
    assert reach_config.mask(robot.url) == "http://127.0.0.1:9/…d78e" and reach_config.mask(robot.secret) == "…t-9x"
    again = reach_config.configure(actor=office, unit_id=sfj, kind="feishu", url=robot.url, secret="", now=now,
                                   allow=ALLOW)
    assert again.id == robot.id and again.secret == "s3cr3t-9x"  # an empty secret keeps the saved one
