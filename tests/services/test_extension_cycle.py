"""An extension granted by the office starts a new cycle on the ladder; the old records stay."""
from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import AccountabilityRecord, ItemStatus, Role
from tracker.services.ledger import escalation
from tracker.services.ledger.ladder import parse_ladder
from tracker.services.work import deadline_extensions


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 4, 0, tzinfo=timezone.utc)


def test_a_granted_extension_clears_overdue_and_keeps_the_old_records(app, make_item, make_user, office):
    ladder = parse_ladder(app.config["TRACKER_LADDER"])
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS, due=date(2023, 6, 30))
    escalation.scan(now=at(date(2023, 7, 10)), ladder=ladder, timezone="Asia/Shanghai")
    assert item.overdue_since == date(2023, 7, 1)
    old = db.session.scalars(sa.select(AccountabilityRecord).where(AccountabilityRecord.item_id == item.id)).all()
    assert {r.level for r in old} == {1, 2}

    asked = deadline_extensions.request_extension(item, actor=make_user(Role.UNIT_ADMIN, "sfj"), due=date(2023, 9, 30),
                                         reason="需协调多部门", now=at(date(2023, 7, 10)))
    deadline_extensions.decide(asked, actor=office, grant=True, note=None, now=at(date(2023, 7, 11)))

    assert item.due_date == date(2023, 9, 30) and item.original_due_date == date(2023, 6, 30)
    assert item.overdue_since is None
    escalation.scan(now=at(date(2023, 7, 12)), ladder=ladder, timezone="Asia/Shanghai")
    after = db.session.scalars(sa.select(AccountabilityRecord).where(AccountabilityRecord.item_id == item.id)).all()
    assert len(after) == len(old)
    escalation.scan(now=at(date(2023, 10, 2)), ladder=ladder, timezone="Asia/Shanghai")
    new_cycle = db.session.scalars(sa.select(AccountabilityRecord).where(
        AccountabilityRecord.item_id == item.id, AccountabilityRecord.due_date == date(2023, 9, 30))).all()
    assert [r.level for r in new_cycle] == [1]
