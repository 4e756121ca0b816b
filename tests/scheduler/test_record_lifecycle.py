"""Records by level: notices are read, 督办 is answered once for the item, approval settles everything at once,
and the ledger counts only what is really owed."""
from datetime import date

import pytest
from flask import current_app
import sqlalchemy as sa
from tests.conftest import closing_evidence
from tests.scheduler.sched_helpers import sh

from tracker.errors import Invalid, InvalidTransition
from tracker.extensions import db
from tracker.models import Event, ItemStatus, RecordStatus, Role
from tracker.services.ledger import escalation, records
from tracker.services.work import workflow


@pytest.fixture
def late_item(settings, make_item):
    """An sfj item 16 days overdue: 提醒, 催办 and 督办 on record."""
    item = make_item(due=date(2023, 12, 31), status=ItemStatus.IN_PROGRESS)
    escalation.scan(now=sh(2024, 1, 16, 0, 10), ladder=settings.ladder, timezone=settings.timezone)
    return item


def test_a_reminder_is_a_notice_that_cannot_be_answered(late_item, records_of, make_user, settings):
    remind, urge, supervise = records_of(late_item.id)
    assert (remind.owes_answer, urge.owes_answer, supervise.owes_answer) == (False, False, True)
    with pytest.raises(InvalidTransition):
        records.answer(remind, actor=make_user(Role.UNIT_ADMIN, "sfj"), explanation="说明",
                       remedy_date=date(2024, 2, 1), now=sh(2024, 1, 17), timezone=settings.timezone)
    assert remind.status == RecordStatus.OPEN


def test_the_first_reader_of_the_unit_is_kept(late_item, records_of, make_user):
    remind = records_of(late_item.id)[0]
    first, second = make_user(Role.UNIT_MEMBER, "sfj"), make_user(Role.UNIT_ADMIN, "sfj")
    assert records.mark_read([remind], actor=make_user(Role.OFFICE_ADMIN, "office"), now=sh(2024, 1, 16, 9)) == []
    assert remind.read_at is None
    records.mark_read([remind], actor=first, now=sh(2024, 1, 16, 10))
    records.mark_read([remind], actor=second, now=sh(2024, 1, 16, 11))
    assert (remind.read_by_id, remind.read_at) == (first.id, sh(2024, 1, 16, 10))


def test_one_answer_covers_every_open_supervision_notice_of_the_item(late_item, records_of, make_user,
                                                                      settings):
    office = make_user(Role.OFFICE_ADMIN, "office")
    supervise = records_of(late_item.id)[2]
    manual = records.escalate(records_of(late_item.id)[1], actor=office, note="多次催办无果",
                              now=sh(2024, 1, 16, 9), ladder=settings.ladder, timezone=settings.timezone)
    assert manual.owes_answer
    covered = records.answer(supervise, actor=make_user(Role.UNIT_MEMBER, "sfj"), explanation="人员调整",
                             remedy_date=date(2024, 2, 1), now=sh(2024, 1, 17), timezone=settings.timezone)
    assert {r.id for r in covered} == {supervise.id, manual.id}
    assert {r.status for r in covered} == {RecordStatus.ANSWERED}
    assert [r.status for r in records_of(late_item.id)[:2]] == [RecordStatus.OPEN, RecordStatus.OPEN]


def test_approval_settles_every_open_record_at_once_and_audits_it(late_item, records_of, make_user, settings,
                                                                   office):
    supervise = records_of(late_item.id)[2]
    carrier = make_user(Role.UNIT_ADMIN, "sfj")
    records.answer(supervise, actor=carrier, explanation="说明", remedy_date=date(2024, 2, 1),
                   now=sh(2024, 1, 17), timezone=settings.timezone)
    workflow.move(late_item, actor=carrier, to=ItemStatus.SUBMITTED, expected_version=late_item.version,
                  now=sh(2024, 1, 18), note="办结报告", evidence=closing_evidence(current_app))
    assert records.counts(actor=office).awaiting_close >= 1
    workflow.move(late_item, actor=office, to=ItemStatus.DONE, expected_version=late_item.version,
                  now=sh(2024, 1, 19))
    assert {r.status for r in records_of(late_item.id)} == {RecordStatus.SETTLED}
    assert all(r.closed_at == sh(2024, 1, 19) and r.closed_by_id is None for r in records_of(late_item.id))
    event = db.session.execute(sa.select(Event).where(Event.action == "record.settle",
                                                      Event.item_id == late_item.id)).scalar_one()
    assert event.actor_label == "system" and len(event.after["records"]) == 3
    with pytest.raises(InvalidTransition):
        records.close(supervise, actor=office, note="核销", now=sh(2024, 1, 20))


def test_counts_are_what_is_owed_not_every_record(late_item, records_of, make_user, settings, office, unit):
    before = records.counts(actor=office)
    assert records.counts(actor=make_user(Role.UNIT_ADMIN, "gaj")) == records.counts(actor=office,
                                                                                   unit_id=unit("gaj").id)
    supervise = records_of(late_item.id)[2]
    records.answer(supervise, actor=make_user(Role.UNIT_ADMIN, "sfj"), explanation="说明",
                   remedy_date=date(2024, 2, 1), now=sh(2024, 1, 17), timezone=settings.timezone)
    after = records.counts(actor=office)
    assert (after.awaiting_answer, after.awaiting_close) == (before.awaiting_answer - 1, before.awaiting_close + 1)


def test_the_office_closes_the_answered_in_bulk_all_or_none(settings, make_item, records_of, make_user, office):
    items = [make_item(due=date(2023, 12, 31), status=ItemStatus.IN_PROGRESS, title=f"批量{n}") for n in range(2)]
    escalation.scan(now=sh(2024, 1, 16, 0, 10), ladder=settings.ladder, timezone=settings.timezone)
    carrier = make_user(Role.UNIT_ADMIN, "sfj")
    answered = []
    for item in items:
        answered += records.answer(records_of(item.id)[2], actor=carrier, explanation="说明",
                                   remedy_date=date(2024, 2, 1), now=sh(2024, 1, 17), timezone=settings.timezone)
    with pytest.raises(Invalid):
        records.close_many([], actor=office, note="已整改", now=sh(2024, 1, 18))
    with pytest.raises(Invalid):
        records.close_many([r.id for r in answered], actor=office, note=" ", now=sh(2024, 1, 18))
    assert {r.status for r in answered} == {RecordStatus.ANSWERED}
    closed = records.close_many([r.id for r in answered], actor=office, note="已整改到位", now=sh(2024, 1, 18))
    assert {r.status for r in closed} == {RecordStatus.CLOSED} and len(closed) == 2
