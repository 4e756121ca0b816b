"""Alerts the moment they happen: a return, an approval, an extension decision, a record issued and a pre-due
reminder each notify the unit in the app at once, and by mail one message per unit per batch, never twice."""
from __future__ import annotations

import email
from datetime import date
from email import policy

import pytest
import sqlalchemy as sa
from tests.scheduler.sched_helpers import send, sh, start_server

from tracker.extensions import db
from tracker.models import DeliveryStatus, ItemStatus, Notification, NotificationMail, Role
from tracker.services.ledger import escalation, notifications, records
from tracker.services.work import deadline_extensions, workflow


def kinds_for(unit_id: int, item_id: int | None = None) -> list[str]:
    """What a unit was told, leaving out the assignment notice every new item brings (services.work.item_news)."""
    query = sa.select(Notification.kind).where(Notification.unit_id == unit_id,
                                               Notification.kind != notifications.ASSIGNED)
    if item_id is not None:
        query = query.where(Notification.item_id == item_id)
    return list(db.session.scalars(query.order_by(Notification.id)))


def test_a_return_reaches_every_user_of_the_unit_and_the_first_reader_reads_it_for_all(make_item, office,
                                                                                        make_user, now):
    item = make_item(status=ItemStatus.SUBMITTED)
    admin, member = make_user(Role.UNIT_ADMIN, "sfj"), make_user(Role.UNIT_MEMBER, "sfj")
    before = notifications.unread_count(actor=member)
    workflow.move(item, actor=office, to=ItemStatus.IN_PROGRESS, expected_version=item.version, now=now,
                  note="佐证材料不全")
    assert notifications.unread_count(actor=member) == notifications.unread_count(actor=admin) == before + 1
    (latest,) = notifications.list_for(actor=member, limit=1)
    assert latest.kind == "item_returned" and "佐证材料不全" in latest.text and latest.item_id == item.id
    notifications.mark_read(latest, actor=member, now=now)
    assert notifications.unread_count(actor=admin) == before
    assert notifications.list_for(actor=make_user(Role.UNIT_ADMIN, "gaj"), unread_only=True) == [] or \
        all(n.unit_id != item.unit_id for n in notifications.list_for(actor=make_user(Role.UNIT_ADMIN, "gaj")))


def test_approval_and_extension_decisions_notify_the_unit(make_item, office, make_user, now):
    asking = make_item(status=ItemStatus.IN_PROGRESS, due=date(2023, 6, 30))
    request = deadline_extensions.request_extension(asking, actor=make_user(Role.UNIT_ADMIN, "sfj"),
                                           due=date(2023, 9, 30), reason="等待上级文件", now=now)
    deadline_extensions.decide(request, actor=office, grant=False, note="理由不充分", now=now)
    submitted = make_item(status=ItemStatus.SUBMITTED)
    workflow.move(submitted, actor=office, to=ItemStatus.DONE, expected_version=submitted.version, now=now)
    assert kinds_for(asking.unit_id, asking.id) == ["extension_decided"]
    assert kinds_for(submitted.unit_id, submitted.id) == ["item_approved"]


def test_a_scan_notifies_each_record_and_the_pre_due_reminders_once(settings, make_item, unit):
    late = make_item(due=date(2023, 12, 31), status=ItemStatus.IN_PROGRESS, title="逾期事项")
    soon = make_item(due=date(2024, 1, 23), title="七天后到期")
    for _ in range(2):
        escalation.scan(now=sh(2024, 1, 16, 0, 10), ladder=settings.ladder, timezone=settings.timezone,
                        reminder_days=(7, 1))
    # Signed in April 2023 and silent since, the late item also missed December's periodic report (by the 25th).
    assert kinds_for(late.unit_id, late.id) == ["missed_report"] + ["record_issued"] * 3
    assert kinds_for(soon.unit_id, soon.id) == ["due_soon"]
    texts = [n.text for n in db.session.scalars(sa.select(Notification).where(Notification.item_id == late.id))]
    assert any(t.startswith("督办:《逾期事项》") and "答复期限 2024-01-21" in t for t in texts)


def test_an_unanswered_supervision_notice_also_tells_the_office(settings, make_item, plan):
    item = make_item(due=date(2023, 12, 31), status=ItemStatus.IN_PROGRESS)
    escalation.scan(now=sh(2024, 1, 16, 0, 10), ladder=settings.ladder, timezone=settings.timezone)
    escalation.scan(now=sh(2024, 1, 22, 0, 10), ladder=settings.ladder, timezone=settings.timezone)
    assert "record_issued" in kinds_for(plan.office_unit_id, item.id)


def test_a_scan_mails_each_unit_one_message_and_never_twice(mail_settings, make_item, unit,  # noqa: F811
                                                             smtp_port):  # noqa: F811
    unit("sfj").emails = ["sfj@xx.example.gov.cn"]
    for n in range(3):
        make_item(due=date(2023, 12, 31), status=ItemStatus.IN_PROGRESS, title=f"逾期事项{n}")
    escalation.scan(now=sh(2024, 1, 16, 0, 10), ladder=mail_settings.ladder, timezone=mail_settings.timezone)
    db.session.commit()  # mail goes out after the commit
    mails = db.session.scalars(sa.select(NotificationMail).where(NotificationMail.unit_id == unit("sfj").id,
                                                                 NotificationMail.batch_key.like("scan:%"))).all()
    assert len(mails) == 1 and mails[0].batch_key == "scan:2024-01-16"  # the assignments' mail is a batch of its own
    assert send(mail_settings, "notification_mail", now=sh(2024, 1, 16, 0, 11))["failed"] >= 1  # server down
    controller, inbox = start_server(smtp_port)
    try:
        assert send(mail_settings, "notification_mail", now=sh(2024, 1, 16, 0, 20))["sent"] >= 1
        assert send(mail_settings, "notification_mail", now=sh(2024, 1, 16, 0, 30)) == {"sent": 0, "failed": 0}
    finally:
        controller.stop()
    (raw,) = [content for rcpts, content in inbox.messages if rcpts == ["sfj@xx.example.gov.cn"]]
    body = email.message_from_bytes(raw, policy=policy.default).get_body(("plain",)).get_content()
    assert all(f"逾期事项{n}" in body for n in range(3))
    assert mails[0].status == DeliveryStatus.SENT and mails[0].attempts == 2


@pytest.mark.parametrize("role", [Role.OFFICE_ADMIN, Role.LEADER, Role.UNIT_ADMIN])
def test_no_one_reads_another_units_notifications(make_item, office, make_user, now, role):
    from tracker.errors import NotFound
    item = make_item(status=ItemStatus.SUBMITTED)
    workflow.move(item, actor=office, to=ItemStatus.IN_PROGRESS, expected_version=item.version, now=now,
                  note="退回")
    (mine,) = notifications.list_for(actor=make_user(Role.UNIT_MEMBER, "sfj"), limit=1)
    with pytest.raises(NotFound):
        notifications.get_notification(mine.id, actor=make_user(role, {"unit_admin": "gaj", "leader": "city"}.get(
            role.value, "office")))


def test_a_manual_escalation_notifies_the_unit(make_item, office, settings, now):
    item = make_item(due=date(2023, 12, 31), status=ItemStatus.IN_PROGRESS)
    escalation.scan(now=sh(2024, 1, 8, 0, 10), ladder=settings.ladder, timezone=settings.timezone)
    urge = db.session.scalars(sa.select(records.AccountabilityRecord).where(
        records.AccountabilityRecord.item_id == item.id, records.AccountabilityRecord.level == 2)).one()
    records.escalate(urge, actor=office, note="多次催办无果", now=sh(2024, 1, 9), ladder=settings.ladder,
                     timezone=settings.timezone)
    assert kinds_for(item.unit_id, item.id)[-1] == "record_issued"


def test_a_record_is_copied_to_cooperating_units_whose_part_is_open_and_to_the_unit_that_split_the_item(
        settings, office, plan, make_user, unit, now):
    """抄送: the lead unit answers; a cooperating unit still at work and the county supervising its township's
    child item hear of the record too; a cooperating unit whose part is done does not."""
    from tracker.models import ItemSource
    from tracker.services.work import assignment, items, splitting

    shared = items.create_ad_hoc(actor=office, plan=plan, source=ItemSource.MEETING, source_ref=None,
                                 title="联合整治", description="", due_date=date(2023, 12, 31), lead=unit("jiaqu"),
                                 cooperating=[unit("sfj"), unit("gaj")], now=now)
    assignment.mark_part_done(shared, actor=make_user(Role.UNIT_ADMIN, "gaj"), note="已完成本部门部分", now=now)
    (child,) = splitting.split(shared, actor=make_user(Role.UNIT_ADMIN, "jiaqu"), now=now, parts=[
        splitting.Part(unit=unit("jiaqu_dongcheng"), title="东城街道落实", due_date=date(2023, 12, 31))])
    escalation.scan(now=sh(2024, 1, 2, 0, 10), ladder=settings.ladder, timezone=settings.timezone)
    assert kinds_for(unit("jiaqu").id, shared.id).count("record_issued") == 1
    copied = db.session.scalars(sa.select(Notification.text).where(
        Notification.unit_id == unit("sfj").id, Notification.item_id == shared.id,
        Notification.kind == "record_issued")).all()
    assert len(copied) == 1 and copied[0].startswith("抄送 提醒")
    assert "record_issued" not in kinds_for(unit("gaj").id, shared.id)
    assert kinds_for(unit("jiaqu_dongcheng").id, child.id) == ["record_issued"]
    parent_copy = db.session.scalars(sa.select(Notification.text).where(
        Notification.unit_id == unit("jiaqu").id, Notification.item_id == child.id)).all()
    assert any(text.startswith("抄送 提醒") for text in parent_copy)
