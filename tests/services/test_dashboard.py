"""The dashboard's counting: pure functions on rows, then the service on the database for each role."""
from __future__ import annotations

from datetime import date

from tracker.models import ItemStatus, Role
from tracker.services.assessment.dashboard import Row, dashboard, is_overdue, ranking, tally, tally_by, weekly

TODAY = date(2024, 1, 10)  # a Wednesday


def row(unit: int = 1, *, due: date | None = date(2024, 1, 5), done: date | None = None) -> Row:
    return Row(phase_id=1, group_id=1, unit_id=unit, due_date=due, done_on=done)


def test_an_item_due_yesterday_and_open_is_overdue_today_but_not_on_its_due_day():
    item = row(due=date(2024, 1, 9))
    assert is_overdue(item, TODAY) and not is_overdue(item, date(2024, 1, 9))


def test_an_item_done_after_its_due_date_counts_as_done_late_and_not_overdue():
    figures = tally([row(done=date(2024, 1, 8)), row(), row(due=date(2024, 2, 1)), row(due=None)], today=TODAY)
    assert (figures.total, figures.done, figures.overdue, figures.done_late) == (4, 1, 1, 1)
    assert figures.percent_done == 25 and figures.percent_overdue == 25


def test_rates_count_only_the_items_due_by_the_day_shown():
    rows = [row(done=date(2024, 1, 4)),  # due and done on time
            row(done=date(2024, 1, 8)),  # due and done late
            row(),  # due, open: overdue now
            row(due=TODAY),  # due today: due, not yet overdue
            *[row(due=date(2025, 12, 31)) for _ in range(16)],  # not due yet: plan progress only
            row(due=date(2025, 12, 31), done=date(2024, 1, 9))]  # done early, not due yet
    figures = tally(rows, today=TODAY)
    assert (figures.due, figures.done_on_time, figures.done_late, figures.overdue) == (4, 1, 1, 1)
    assert (figures.rate_on_time.shown, figures.rate_overdue.shown) == ("1/4 (25%)", "1/4 (25%)")
    assert (figures.total, figures.done, figures.percent_done) == (21, 3, 14)


def test_the_ranking_puts_the_most_overdue_unit_first_then_the_least_on_time_and_leaves_out_nothing_due():
    rows = [row(1), row(1), row(2), row(3, due=date(2024, 3, 1)), row(4, done=date(2024, 1, 2)),
            row(5, done=date(2024, 1, 8))]
    assert ranking(tally_by(rows, lambda r: r.unit_id, today=TODAY)) == [1, 2, 5, 4]


def test_the_weekly_trend_redraws_past_weeks_as_they_were():
    rows = [row(due=date(2024, 1, 3), done=date(2024, 1, 9)), row(due=date(2023, 12, 20))]
    weeks = weekly(rows, today=TODAY, weeks=3)
    assert [w.start for w in weeks] == [date(2023, 12, 25), date(2024, 1, 1), date(2024, 1, 8)]
    # week of 12-25 ends 12-31: the second item overdue; week of 01-01 ends 01-07: both; this week: one done
    assert [(w.done, w.overdue) for w in weeks] == [(0, 1), (0, 2), (1, 1)]


def test_a_unit_sees_only_its_own_figures_and_the_office_the_whole_plan(make_user, make_item, plan):
    make_item("sfj", status=ItemStatus.DONE)
    unit_view = dashboard(actor=make_user(Role.UNIT_MEMBER, "sfj"), plan_id=plan.id, today=TODAY,
                          timezone="Asia/Shanghai")
    office_view = dashboard(actor=make_user(Role.OFFICE_ADMIN, "office"), plan_id=plan.id, today=TODAY,
                            timezone="Asia/Shanghai")
    assert [name for name, _ in unit_view.units] == ["市司法局"]
    assert unit_view.totals.done >= 1 and office_view.totals.total > unit_view.totals.total
    assert len(office_view.units) > 1 and len(office_view.phases) == 3 and len(office_view.groups) == 5
