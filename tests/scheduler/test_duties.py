"""Yearly duties exist for every plan year from load time; event-driven duties get their date when entered."""
from collections import Counter
from datetime import date

import pytest
import sqlalchemy as sa
from tests.scheduler.sched_helpers import sh

from tracker.errors import Invalid, NotAllowed, NotFound
from tracker.extensions import db
from tracker.models import ItemTemplate, Role, WorkItem
from tracker.services.work import event_duties
from tracker.services.trust.accounts import unit_by_key


def test_each_yearly_duty_has_one_item_per_plan_year_per_unit(app):
    templates = [t for t in db.session.scalars(sa.select(ItemTemplate)) if t.due_rule.get("yearly")]
    assert templates
    for template in templates:
        keys = db.session.execute(sa.select(WorkItem.unit_id, WorkItem.recurrence_key, WorkItem.due_date).where(
            WorkItem.template_id == template.id)).all()
        years = template.due_rule["yearly"]["years"] or [2023, 2024, 2025]
        per_unit = Counter(unit_id for unit_id, _, _ in keys)
        assert set(per_unit.values()) == {len(years)}
        assert {due.year for _, _, due in keys} == set(years)
        assert {key for _, key, _ in keys} == {str(y) for y in years}


def test_event_driven_duties_have_no_item_until_the_event(app):
    for template in event_duties.event_templates(1):
        assert db.session.execute(sa.select(sa.func.count()).where(WorkItem.template_id == template.id)
                                  ).scalar() == 0


def test_entering_an_event_creates_the_item_due_n_days_later(app, office):
    template = event_duties.template_by_key("opinion_feedback")
    sfj = unit_by_key("sfj")
    first = event_duties.enter_event(template=template, unit=sfj, event_date=date(2024, 3, 1), label="收到意见书一号",
                               actor=office, now=sh(2024, 3, 2, 9))
    second = event_duties.enter_event(template=template, unit=sfj, event_date=date(2024, 3, 1), label="收到意见书二号",
                                actor=office, now=sh(2024, 3, 2, 9))
    assert first.due_date == first.original_due_date == date(2024, 4, 30)
    assert (first.recurrence_key, second.recurrence_key) == ("event:2024-03-01:1", "event:2024-03-01:2")
    assert first.event_label == "收到意见书一号" and first.phase.contains(date(2024, 3, 1))


def test_event_input_is_checked(app, office, make_user):
    template = event_duties.template_by_key("opinion_feedback")
    sfj = unit_by_key("sfj")
    with pytest.raises(Invalid):
        event_duties.enter_event(template=template, unit=sfj, event_date=date(2024, 3, 5), label="未来",
                           actor=office, now=sh(2024, 3, 2))
    with pytest.raises(Invalid):
        event_duties.enter_event(template=template, unit=sfj, event_date=date(2024, 3, 1), label=" ", actor=office,
                           now=sh(2024, 3, 2))
    with pytest.raises(Invalid):
        event_duties.enter_event(template=event_duties.template_by_key("court_rate_2023"), unit=sfj,
                           event_date=date(2024, 3, 1), label="x", actor=office, now=sh(2024, 3, 2))
    with pytest.raises(Invalid):
        event_duties.enter_event(template=template, unit=unit_by_key("office"), event_date=date(2024, 3, 1),
                           label="x", actor=office, now=sh(2024, 3, 2))
    with pytest.raises(NotAllowed):
        event_duties.enter_event(template=template, unit=sfj, event_date=date(2024, 3, 1), label="x",
                           actor=make_user(Role.UNIT_ADMIN, "gaj"), now=sh(2024, 3, 2))
    with pytest.raises(NotFound):
        event_duties.template_by_key("no_such_template")


def test_enter_event_command(app):
    result = app.test_cli_runner().invoke(args=["tracker", "enter-event", "complaint_handling", "--unit", "gaj",
                                                "--date", "2024-05-06", "--label", "受理举报(2024)12号"])
    assert result.exit_code == 0, result.output
    assert "截止 2024-07-05" in result.output
