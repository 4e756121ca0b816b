"""The daily scan: overdue state, one record per item per level per due date, and nothing twice."""
from datetime import date

import sqlalchemy as sa
import time_machine

from tracker.extensions import db
from tracker.models import AccountabilityRecord, Event, ItemStatus, RecordStatus
from tracker.services.ledger import escalation
from tracker.services.work import workflow

from tests.scheduler.sched_helpers import sh


def scan(settings, at):
    return escalation.scan(now=at, ladder=settings.ladder, timezone=settings.timezone)


def test_item_due_31_dec_is_not_overdue_at_23_59_shanghai_and_is_at_midnight(app, make_item, records_of):
    item = make_item(due=date(2023, 12, 31))
    runner = app.test_cli_runner()
    with time_machine.travel(sh(2023, 12, 31, 23, 59), tick=False):
        result = runner.invoke(args=["tracker", "scan-overdue"])
    assert result.exit_code == 0, result.output
    assert item.overdue_since is None and records_of(item.id) == []
    with time_machine.travel(sh(2024, 1, 1, 0, 0), tick=False):
        result = runner.invoke(args=["tracker", "scan-overdue"])
    assert result.exit_code == 0, result.output
    assert "截至 2024-01-01" in result.output
    db.session.refresh(item)
    assert item.overdue_since == date(2024, 1, 1)
    assert [(r.level, r.reason) for r in records_of(item.id)] == [(1, "逾期 1 天,已发提醒")]


def test_scan_at_option_reads_plan_time_zone(app, make_item, records_of):
    item = make_item(due=date(2023, 12, 31))
    result = app.test_cli_runner().invoke(args=["tracker", "scan-overdue", "--at", "2024-01-15T00:00"])
    assert result.exit_code == 0, result.output
    assert [r.level_name for r in records_of(item.id)] == ["提醒", "催办", "督办"]


def test_first_scan_on_old_data_writes_one_record_per_level_reached_as_of_that_day(settings, make_item,
                                                                                  records_of):
    item = make_item(due=date(2023, 6, 30))
    scan(settings, sh(2023, 8, 15, 9))
    records = records_of(item.id)
    assert [r.level_name for r in records] == ["提醒", "催办", "督办", "通报"]
    assert {r.reason.split(",")[0] for r in records} == {"逾期 46 天"}
    assert records[2].answer_due == date(2023, 8, 20)
    assert all(r.issued_at == sh(2023, 8, 15, 9) and r.issued_by_id is None for r in records)


def test_rescan_writes_nothing(settings, make_item, records_of, count_queries):
    make_item(due=date(2023, 6, 30))
    first = scan(settings, sh(2023, 8, 1, 1))
    assert first.written > 0
    events = db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar()
    again = scan(settings, sh(2023, 8, 1, 2))
    assert again.written == 0
    assert db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar() == events


def test_daily_scans_climb_one_level_at_a_time(settings, make_item, records_of):
    item = make_item(due=date(2023, 12, 31))
    for day in range(1, 32):
        scan(settings, sh(2024, 1, day, 0, 10))
    issued = {r.level_name: r.issued_at.astimezone(sh(2024, 1, 1).tzinfo).date() for r in records_of(item.id, kind="ladder")}
    assert issued == {"提醒": date(2024, 1, 1), "催办": date(2024, 1, 7), "督办": date(2024, 1, 15),
                      "通报": date(2024, 1, 30)}
    unanswered = records_of(item.id, kind="unanswered")
    assert [(r.level, r.reason) for r in unanswered] == [(3, "督办通知应于 2024-01-20 前答复,逾期未答复")]
    assert unanswered[0].issued_at.astimezone(sh(2024, 1, 1).tzinfo).date() == date(2024, 1, 21)


def test_ladder_pauses_while_the_office_reviews_and_catches_up_after_a_return(settings, make_item, records_of,
                                                                              office):
    item = make_item(due=date(2023, 12, 31), status=ItemStatus.SUBMITTED)
    scan(settings, sh(2024, 1, 20))
    assert records_of(item.id) == []
    assert item.overdue_since == date(2024, 1, 1)  # the light is red all the same
    workflow.move(item, actor=office, to=ItemStatus.IN_PROGRESS, expected_version=item.version,
                  now=sh(2024, 1, 20, 10), note="材料不全")
    scan(settings, sh(2024, 1, 21))
    assert [r.level_name for r in records_of(item.id)] == ["提醒", "催办", "督办"]


def test_extension_starts_a_new_cycle_and_keeps_old_records(settings, make_item, records_of):
    item = make_item(due=date(2023, 12, 31))
    scan(settings, sh(2024, 1, 10))
    old = [(r.level, r.due_date) for r in records_of(item.id)]
    assert old == [(1, date(2023, 12, 31)), (2, date(2023, 12, 31))]
    item.due_date = date(2024, 2, 29)  # what an approved extension does (services.work.deadline_extensions on the API branch)
    escalation.on_due_date_changed(item, now=sh(2024, 1, 11), timezone=settings.timezone)
    db.session.flush()
    assert item.overdue_since is None and item.original_due_date == date(2023, 12, 31)
    scan(settings, sh(2024, 1, 11))
    scan(settings, sh(2024, 2, 29, 23, 59))
    assert [(r.level, r.due_date) for r in records_of(item.id)] == old
    scan(settings, sh(2024, 3, 1))
    assert [(r.level, r.due_date) for r in records_of(item.id)] == old + [(1, date(2024, 2, 29))]
    assert item.overdue_since == date(2024, 3, 1)


def test_approval_stores_days_overdue_at_close_judged_at_submission(settings, make_item, make_user, office):
    late = make_item(due=date(2023, 3, 31), status=ItemStatus.SUBMITTED)
    late.submitted_at = sh(2023, 4, 3, 9)
    on_time = make_item(due=date(2023, 12, 31), status=ItemStatus.SUBMITTED)
    for item in (late, on_time):
        workflow.move(item, actor=office, to=ItemStatus.DONE, expected_version=item.version,
                      now=sh(2024, 3, 1, 9))
    assert (late.days_overdue_at_close, late.closed_late, late.overdue_since) == (3, True, date(2023, 4, 1))
    assert (on_time.days_overdue_at_close, on_time.closed_late, on_time.overdue_since) == (0, False, None)


def test_done_items_get_no_records(settings, make_item, records_of):
    item = make_item(due=date(2023, 6, 30), status=ItemStatus.DONE)
    scan(settings, sh(2023, 8, 1))
    assert records_of(item.id) == [] and item.overdue_since is None and item.closed_late is False


def test_the_scan_leaves_item_versions_alone(settings, make_item):
    item = make_item(due=date(2023, 3, 31))
    version = item.version
    scan(settings, sh(2023, 6, 1))
    db.session.refresh(item)
    assert item.version == version and item.overdue_since == date(2023, 4, 1)


def test_scan_writes_one_audit_summary(settings, make_item):
    make_item(due=date(2023, 3, 31))
    result = scan(settings, sh(2023, 4, 2))
    event = db.session.execute(sa.select(Event).order_by(Event.id.desc()).limit(1)).scalar_one()
    assert event.action == "ladder.scan" and event.actor_label == "scheduler"
    assert event.after == result.summary()
    assert db.session.execute(sa.select(sa.func.count()).select_from(AccountabilityRecord).where(
        AccountabilityRecord.status != RecordStatus.OPEN)).scalar() == 0
