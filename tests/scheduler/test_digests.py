"""Weekly digests: built once per week per recipient, stored, and mailed through a real SMTP server."""
from __future__ import annotations

import email
from datetime import date
from email import policy

import pytest
import sqlalchemy as sa
from flask import current_app
from tests.conftest import closing_evidence
from tests.scheduler.sched_helpers import send, sh, start_server

from tracker.extensions import db
from tracker.models import DeliveryStatus, Digest, DigestDelivery, ItemStatus, Role, WorkItem
from tracker.scheduler import jobs
from tracker.services.ledger import digests, escalation
from tracker.services.work import splitting, workflow


def overdue_sfj_item(make_item, settings):
    item = make_item(due=date(2023, 12, 1), title="建立行政规范性文件合法性审核机制")
    escalation.scan(now=sh(2024, 1, 8, 0, 10), ladder=settings.ladder, timezone=settings.timezone)
    return item


def build(settings, week="2024-W02", with_deliveries=False):
    return digests.build_round(period_key=week, now=sh(2024, 1, 8, 8, 30), timezone=settings.timezone,
                               ladder=settings.ladder, due_soon_days=14, with_deliveries=with_deliveries)


def test_a_round_builds_one_digest_per_unit_and_the_office_once(settings, make_item):
    overdue_sfj_item(make_item, settings)
    first = build(settings)
    units_with_items = db.session.execute(sa.select(sa.func.count(sa.distinct(WorkItem.unit_id)))).scalar()
    assert first.digests == units_with_items + 1
    assert build(settings).digests == 0
    assert db.session.execute(sa.select(sa.func.count()).select_from(Digest)).scalar() == first.digests


def test_unit_digest_lists_overdue_items_with_days_and_level(settings, make_item):
    item = overdue_sfj_item(make_item, settings)
    build(settings)
    digest = db.session.execute(sa.select(Digest).where(Digest.recipient_key == "unit:sfj")).scalar_one()
    overdue = {row["id"]: row for row in digest.data["overdue"]}
    assert overdue[item.id]["days_overdue"] == 38 and overdue[item.id]["level"] == "通报"
    assert digest.data["awaiting_answer"][0]["level_name"] == "督办"
    assert "建立行政规范性文件合法性审核机制(截止 2023-12-01,逾期 38 天,已通报)" in digest.text
    assert "<td>建立行政规范性文件合法性审核机制</td>" in digest.html
    assert digest.subject.startswith("督办周报 2024年第2周(1月8日—1月14日)|市司法局:逾期")


def test_unit_digest_says_who_returned_an_item_the_district_for_a_part_it_split(settings, make_item, make_user,
                                                                              office, unit):
    """The digest's section was headed 被办公室退回 whoever returned the item (issue 20 point 2)."""
    district, township = make_user(Role.UNIT_ADMIN, "jiaqu"), make_user(Role.UNIT_ADMIN, "jiaqu_xicheng")
    parent = make_item("jiaqu", status=ItemStatus.IN_PROGRESS, due=date(2024, 6, 30), title="全区专项排查")
    (part,) = splitting.split(parent, actor=district, now=sh(2024, 1, 2, 9), parts=[
        splitting.Part(unit("jiaqu_xicheng"), "西城街道排查", date(2024, 6, 30))])
    for to, note in ((ItemStatus.IN_PROGRESS, None), (ItemStatus.SUBMITTED, "已排查")):
        workflow.move(part, actor=township, to=to, expected_version=part.version, now=sh(2024, 1, 3, 9), note=note,
                      evidence=closing_evidence(current_app) if note else None)
    workflow.review(part, actor=district, decision="return", expected_version=part.version, now=sh(2024, 1, 4, 9),
                    reason="缺少台账")
    build(settings)
    digest = db.session.execute(sa.select(Digest).where(Digest.recipient_key == "unit:jiaqu_xicheng")).scalar_one()
    assert "三、被退回的工作项" in digest.text and "西城街道排查(甲区政府退回理由:缺少台账)" in digest.text
    assert "西城街道排查(甲区政府退回理由:缺少台账)" in digest.html and "被办公室退回" not in digest.html


def test_office_digest_names_units_under_bulletin_and_ranks_them(settings, make_item):
    overdue_sfj_item(make_item, settings)
    build(settings)
    office = db.session.execute(sa.select(Digest).where(Digest.recipient_key == "office")).scalar_one()
    named = {u["key"]: u for u in office.data["bulletin_units"]}
    assert named["sfj"]["name"] == "市司法局" and named["sfj"]["count"] >= 1
    counts = [u["count"] for u in office.data["bulletin_units"]]
    assert counts == sorted(counts, reverse=True)
    overdue = [u["overdue"] for u in office.data["units"]]
    assert overdue == sorted(overdue, reverse=True)
    assert office.data["new_records"]["by_level"]["通报"] >= 1
    assert [p["name"] for p in office.data["by_phase"]] and [g["name"] for g in office.data["by_group"]]
    assert "一、通报单位" in office.text and f"市司法局:{named['sfj']['count']} 项逾期达通报等级" in office.text


def test_digests_arrive_through_a_real_smtp_server_with_chinese_intact(mail_settings, make_item, smtp_port):
    overdue_sfj_item(make_item, mail_settings)
    controller, inbox = start_server(smtp_port)
    try:
        assert jobs.run_period(jobs.job_named("digest"), "2024-W02", settings=mail_settings,
                               now=sh(2024, 1, 8, 8, 30)) == "ok"
        assert send(mail_settings, "digest_mail")["failed"] == 0
    finally:
        controller.stop()
    deliveries = db.session.scalars(sa.select(DigestDelivery)).all()
    assert deliveries and all(d.status == DeliveryStatus.SENT and d.attempts == 1 for d in deliveries)
    assert len(inbox.messages) == len(deliveries)
    (raw,) = [content for rcpts, content in inbox.messages if rcpts == ["sfj@xx.example.gov.cn"]]
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Subject"].startswith("督办周报 2024年第2周(1月8日—1月14日)|市司法局")
    assert "已通报" in message.get_body(("plain",)).get_content()
    assert "<h2>一、逾期工作项</h2>" in message.get_body(("html",)).get_content()


def test_smtp_down_loses_nothing_and_sends_once_it_is_up(mail_settings, make_item, smtp_port):
    overdue_sfj_item(make_item, mail_settings)
    assert jobs.run_period(jobs.job_named("digest"), "2024-W02", settings=mail_settings,
                           now=sh(2024, 1, 8, 8, 30)) == "ok"
    # The round is stored even though mail failed; the server being down ends the sending round after the batch
    # in hand (marked failed, with why), and the rest wait untried.
    assert send(mail_settings, "digest_mail")["sent"] == 0
    deliveries = db.session.scalars(sa.select(DigestDelivery)).all()
    assert deliveries and all(d.status != DeliveryStatus.SENT for d in deliveries)
    assert all(d.last_error and "ServerDown" not in d.last_error for d in deliveries if d.attempts == 1)
    assert any(d.attempts == 1 for d in deliveries)
    controller, inbox = start_server(smtp_port)
    try:
        assert send(mail_settings, "digest_mail") == {"sent": len(deliveries), "failed": 0}
        assert send(mail_settings, "digest_mail") == {"sent": 0, "failed": 0}
        assert jobs.run_period(jobs.job_named("digest"), "2024-W02", settings=mail_settings) == "skipped"
    finally:
        controller.stop()
    assert len(inbox.messages) == len(deliveries)
    assert sorted(r for rcpts, _ in inbox.messages for r in rcpts) == sorted(d.address for d in deliveries)


def test_without_smtp_digests_are_stored_and_nothing_is_queued(settings, make_item):
    overdue_sfj_item(make_item, settings)
    assert build(settings, with_deliveries=False).deliveries == 0
    assert db.session.execute(sa.select(sa.func.count()).select_from(DigestDelivery)).scalar() == 0


def test_a_unit_reads_only_its_own_digests(settings, make_item, make_user):
    overdue_sfj_item(make_item, settings)
    build(settings)
    sfj = make_user(Role.UNIT_MEMBER, "sfj")
    leader = make_user(Role.LEADER, "city")
    own = digests.list_digests(actor=sfj)
    assert {d.recipient_key for d in own} == {"unit:sfj"}
    office_digest = db.session.execute(sa.select(Digest).where(Digest.recipient_key == "office")).scalar_one()
    with pytest.raises(Exception, match="周报不存在"):
        digests.get_digest(office_digest.id, actor=sfj)
    assert digests.get_digest(office_digest.id, actor=leader) is office_digest
    assert len(digests.list_digests(actor=leader, period_key="2024-W02", limit=500)) == len(
        db.session.scalars(sa.select(Digest)).all())


def test_send_digests_command_builds_a_given_week(app, make_item, settings):
    overdue_sfj_item(make_item, settings)
    result = app.test_cli_runner().invoke(args=["tracker", "send-digests", "--week", "2024-W02"])
    assert result.exit_code == 0, result.output
    assert "2024-W02:新建周报" in result.output and "未配置 TRACKER_SMTP_HOST" in result.output
    bad = app.test_cli_runner().invoke(args=["tracker", "send-digests", "--week", "2024-2"])
    assert bad.exit_code == 1 and "周次格式" in bad.output
