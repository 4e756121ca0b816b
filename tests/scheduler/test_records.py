"""A unit answers its records, the office closes or escalates them, leaders only read; all of it audited."""
from datetime import date

import pytest
import sqlalchemy as sa
from tests.scheduler.sched_helpers import sh

from tracker.errors import Invalid, InvalidTransition, NotAllowed, NotFound
from tracker.extensions import db
from tracker.models import Event, RecordStatus, Role
from tracker.services.ledger import escalation, records


@pytest.fixture
def supervised(settings, make_item, records_of):
    """An sfj item 16 days overdue: 提醒, 催办 and 督办 on record."""
    item = make_item(due=date(2023, 12, 31))
    escalation.scan(now=sh(2024, 1, 16, 0, 10), ladder=settings.ladder, timezone=settings.timezone)
    return records_of(item.id)[2]


def last_event():
    return db.session.execute(sa.select(Event).order_by(Event.id.desc()).limit(1)).scalar_one()


def test_unit_answers_its_supervision_notice(supervised, make_user, settings):
    member = make_user(Role.UNIT_MEMBER, "sfj")
    records.answer(supervised, actor=member, explanation="人员调整导致延误", remedy_date=date(2024, 2, 15),
                   now=sh(2024, 1, 17, 9), timezone=settings.timezone)
    assert supervised.status == RecordStatus.ANSWERED and supervised.answered_by_id == member.id
    event = last_event()
    assert event.action == "record.answer" and event.after["remedy_date"] == "2024-02-15"
    with pytest.raises(InvalidTransition):
        records.answer(supervised, actor=member, explanation="再答一次", remedy_date=date(2024, 2, 15),
                       now=sh(2024, 1, 17, 9), timezone=settings.timezone)


def test_an_answer_in_time_means_no_unanswered_record(supervised, make_user, settings, records_of):
    records.answer(supervised, actor=make_user(Role.UNIT_ADMIN, "sfj"), explanation="说明",
                   remedy_date=date(2024, 2, 1), now=sh(2024, 1, 18, 9), timezone=settings.timezone)
    escalation.scan(now=sh(2024, 1, 25), ladder=settings.ladder, timezone=settings.timezone)
    assert records_of(supervised.item_id, kind="unanswered") == []


@pytest.mark.parametrize(("role", "unit_key"), [(Role.OFFICE_ADMIN, "office"), (Role.LEADER, "city"),
                                                (Role.UNIT_ADMIN, "gaj")])
def test_only_the_unit_concerned_answers(supervised, make_user, settings, role, unit_key):
    with pytest.raises(NotAllowed):
        records.answer(supervised, actor=make_user(role, unit_key), explanation="x", remedy_date=date(2024, 2, 1),
                       now=sh(2024, 1, 17), timezone=settings.timezone)


def test_answer_needs_text_and_a_future_remedy_date(supervised, make_user, settings):
    member = make_user(Role.UNIT_MEMBER, "sfj")
    with pytest.raises(Invalid):
        records.answer(supervised, actor=member, explanation="  ", remedy_date=date(2024, 2, 1),
                       now=sh(2024, 1, 17), timezone=settings.timezone)
    with pytest.raises(Invalid):
        records.answer(supervised, actor=member, explanation="说明", remedy_date=date(2024, 1, 16),
                       now=sh(2024, 1, 17), timezone=settings.timezone)
    with pytest.raises(Invalid):
        records.answer(supervised, actor=member, explanation="说明", remedy_date=date(2024, 2, 1),
                       now=sh(2024, 1, 17), timezone=settings.timezone, evidence_ids=[987654])


def test_office_closes_and_escalates_by_hand(supervised, office, settings, make_user):
    escalated = records.escalate(supervised, actor=office, note="多次催办无果", now=sh(2024, 1, 20, 9),
                                 ladder=settings.ladder, timezone=settings.timezone)
    assert (escalated.kind, escalated.level_name, escalated.issued_by_id) == ("manual", "通报", office.id)
    assert escalated.reason == "办公室人工升级为通报:多次催办无果"
    assert last_event().action == "record.escalate"
    with pytest.raises(Invalid):
        records.escalate(supervised, actor=office, note="再升", now=sh(2024, 1, 20, 9), ladder=settings.ladder,
                         timezone=settings.timezone)
    with pytest.raises(Invalid):
        records.escalate(escalated, actor=office, note="顶级", now=sh(2024, 1, 20, 9), ladder=settings.ladder,
                         timezone=settings.timezone)
    records.close(supervised, actor=office, note="已整改到位,予以核销", now=sh(2024, 2, 1, 9))
    assert supervised.status == RecordStatus.CLOSED and last_event().action == "record.close"
    with pytest.raises(NotAllowed):
        records.close(escalated, actor=make_user(Role.LEADER, "city"), note="x", now=sh(2024, 2, 1))
    with pytest.raises(NotAllowed):
        records.close(escalated, actor=make_user(Role.UNIT_ADMIN, "sfj"), note="x", now=sh(2024, 2, 1))


def test_units_see_only_their_own_records(supervised, make_user):
    own = make_user(Role.UNIT_MEMBER, "sfj")
    other = make_user(Role.UNIT_MEMBER, "gaj")
    leader = make_user(Role.LEADER, "city")
    assert records.get_record(supervised.id, actor=own) is supervised
    assert records.get_record(supervised.id, actor=leader) is supervised
    with pytest.raises(NotFound):
        records.get_record(supervised.id, actor=other)
    mine = records.list_records(actor=own, filters=records.RecordFilters(item_id=supervised.item_id))
    assert [r.level for r in mine] == [3, 2, 1]  # newest first, ties by id
    assert records.list_records(actor=other, filters=records.RecordFilters(item_id=supervised.item_id)) == []
    level_three = records.list_records(actor=leader, filters=records.RecordFilters(
        item_id=supervised.item_id, level=3, status=RecordStatus.OPEN))
    assert level_three == [supervised]
