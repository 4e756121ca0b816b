"""退办 / 异议: a unit contests an item it was given within the plan's window of working days; the office upholds
it (reassigns) or rejects it, each with a reason, audited and told."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tracker.errors import Invalid, NotAllowed
from tracker.extensions import db
from tracker.models import ContestStatus, Event, Notification, Role
from tracker.services.plan.workdays import Calendar
from tracker.services.work import assignment, contests
from tracker.services.work.item_facts import Facts, window_closes

WEEKDAYS = Calendar()


def actions(item_id: int) -> list[str]:
    return list(db.session.scalars(sa.select(Event.action).where(Event.item_id == item_id).order_by(Event.id)))


def test_the_window_counts_working_days_from_the_assignment(make_item):
    item = make_item("sfj")  # assigned Monday 2023-04-03
    assert window_closes(item, WEEKDAYS) == date(2023, 4, 12)  # 7 working days: Wed of the next week
    holiday = Calendar(off=frozenset({date(2023, 4, 5)}))  # 清明 on the Wednesday
    assert window_closes(item, holiday) == date(2023, 4, 13)


def test_a_lead_unit_contests_inside_its_window_and_the_office_is_told(make_item, make_user, now, plan):
    item = make_item("sfj")
    admin = make_user(Role.UNIT_ADMIN, "sfj")
    contest = contests.raise_contest(item, actor=admin, reason="应由市公安局牵头", proposed_unit_id=None,
                                     calendar=WEEKDAYS, now=now + timedelta(days=2))
    assert contest.status == ContestStatus.PENDING and Facts.of(item).contest_pending is contest
    assert "item.contest" in actions(item.id)
    told = db.session.scalars(sa.select(Notification).where(Notification.kind == "contested")).all()
    assert [n.unit_id for n in told] == [plan.office_unit_id]
    with pytest.raises(Invalid, match="已有待处理的异议"):
        contests.raise_contest(item, actor=admin, reason="再次", proposed_unit_id=None, calendar=WEEKDAYS, now=now)


def test_a_contest_after_its_window_is_refused_with_the_day_it_closed(make_item, make_user, now):
    item = make_item("sfj")
    admin = make_user(Role.UNIT_ADMIN, "sfj")
    with pytest.raises(Invalid, match="2023-04-12 届满") as refused:
        contests.raise_contest(item, actor=admin, reason="太晚了", proposed_unit_id=None, calendar=WEEKDAYS,
                               now=now + timedelta(days=10))
    assert refused.value.code == "contest_window_closed"
    assert Facts.of(item).contest_pending is None


@pytest.mark.parametrize(("role", "unit_key"), [(Role.UNIT_MEMBER, "sfj"), (Role.UNIT_ADMIN, "gaj"),
                                                (Role.LEADER, "city"), (Role.OFFICE_ADMIN, "office")])
def test_only_an_admin_of_a_unit_carrying_the_item_contests_it(make_item, make_user, now, role, unit_key):
    item = make_item("sfj")
    with pytest.raises(NotAllowed):
        contests.raise_contest(item, actor=make_user(role, unit_key), reason="x", proposed_unit_id=None,
                               calendar=WEEKDAYS, now=now)


def test_the_office_upholds_a_contest_and_the_named_unit_takes_the_item_its_due_date_kept(
        make_item, make_user, office, unit, now):
    item = make_item("sfj")
    due = item.due_date
    contest = contests.raise_contest(item, actor=make_user(Role.UNIT_ADMIN, "sfj"), reason="职责不符",
                                     proposed_unit_id=unit("gaj").id, calendar=WEEKDAYS, now=now)
    contests.decide(contest, actor=office, uphold=True, note="同意,改由市公安局牵头", expected_version=item.version,
                    now=now + timedelta(days=1))
    assert (item.unit_id, item.due_date, contest.status, contest.new_unit_id) == (
        unit("gaj").id, due, ContestStatus.UPHELD, unit("gaj").id)
    assert "item.contest_upheld" in actions(item.id)
    told = db.session.scalars(sa.select(Notification).where(Notification.kind == "contest_decided")).all()
    assert [n.unit_id for n in told] == [unit("sfj").id]


def test_an_upheld_contest_may_set_a_new_due_date(make_item, make_user, office, unit, now):
    item = make_item("sfj")
    contest = contests.raise_contest(item, actor=make_user(Role.UNIT_ADMIN, "sfj"), reason="职责不符",
                                     proposed_unit_id=None, calendar=WEEKDAYS, now=now)
    with pytest.raises(Invalid, match="须指定新的承办单位"):
        contests.decide(contest, actor=office, uphold=True, note="同意", expected_version=item.version, now=now)
    contests.decide(contest, actor=office, uphold=True, note="同意", expected_version=item.version, now=now,
                    new_unit_id=unit("gaj").id, new_due_date=date(2024, 3, 31))
    assert (item.unit_id, item.due_date, item.original_due_date) == (unit("gaj").id, date(2024, 3, 31),
                                                                    date(2023, 12, 31))


def test_the_office_rejects_a_contest_with_a_reason_and_the_item_stays(make_item, make_user, office, unit, now):
    item = make_item("sfj")
    contest = contests.raise_contest(item, actor=make_user(Role.UNIT_ADMIN, "sfj"), reason="职责不符",
                                     proposed_unit_id=unit("gaj").id, calendar=WEEKDAYS, now=now)
    with pytest.raises(Invalid, match="须说明处理理由"):
        contests.decide(contest, actor=office, uphold=False, note=" ", expected_version=item.version, now=now)
    contests.decide(contest, actor=office, uphold=False, note="属于本单位职责", expected_version=item.version, now=now)
    assert item.unit_id == unit("sfj").id and contest.status == ContestStatus.REJECTED
    with pytest.raises(Invalid, match="没有待处理的异议"):
        contests.decide(contest, actor=office, uphold=True, note="改判", expected_version=item.version, now=now)


def test_only_the_office_decides_a_contest(make_item, make_user, now):
    item = make_item("sfj")
    contest = contests.raise_contest(item, actor=make_user(Role.UNIT_ADMIN, "sfj"), reason="职责不符",
                                     proposed_unit_id=None, calendar=WEEKDAYS, now=now)
    with pytest.raises(NotAllowed):
        contests.decide(contest, actor=make_user(Role.UNIT_ADMIN, "gaj"), uphold=False, note="x",
                        expected_version=item.version, now=now)


def test_a_cooperating_unit_contests_its_part_and_upheld_its_part_goes_to_the_named_unit(
        make_item, make_user, office, unit, now):
    item = make_item("jiaqu")
    assignment.set_units(item, actor=office, lead=unit("jiaqu"), cooperating=[unit("sfj")],
                         expected_version=item.version, now=now)
    contest = contests.raise_contest(item, actor=make_user(Role.UNIT_ADMIN, "sfj"), reason="配合部分应由市公安局承担",
                                     proposed_unit_id=unit("gaj").id, calendar=WEEKDAYS, now=now)
    assert contest.unit_id == unit("sfj").id
    contests.decide(contest, actor=office, uphold=True, note="同意", expected_version=item.version, now=now)
    assert item.unit_id == unit("jiaqu").id
    assert [part.unit_id for part in item.cooperators] == [unit("gaj").id]
    assert actions(item.id)[-2:] == ["item.units", "item.contest_upheld"]


def test_a_unit_cannot_decide_its_own_contest(make_item, make_user, now):
    item = make_item("sfj")
    admin = make_user(Role.UNIT_ADMIN, "sfj")
    contest = contests.raise_contest(item, actor=admin, reason="职责不符", proposed_unit_id=None, calendar=WEEKDAYS,
                                     now=now)
    with pytest.raises(NotAllowed, match="办公室"):
        contests.decide(contest, actor=admin, uphold=False, note="撤回", expected_version=item.version, now=now)
    assert contest.status == ContestStatus.PENDING
