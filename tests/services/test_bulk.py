"""The bulk runner (services/work/bulk.py): each item through its own service in its own savepoint, and no more
statements per item than the single-item service itself sends."""
from __future__ import annotations

import sqlalchemy as sa

from tests.bulk_helpers import NOW, event_count, plan_items
from tracker.errors import Invalid, NotAllowed
from tracker.extensions import db
from tracker.models import ItemStatus, Notification, Role, User, WorkItem
from tracker.services.work import bulk

import pytest


def targets(found: list[WorkItem]) -> list[bulk.Target]:
    return [bulk.Target(item.id, item.version) for item in found]


def test_a_writer_that_wins_at_the_flush_refuses_that_item_alone_and_undoes_its_writes(office: User):
    """The version the office sent is the one it loaded, but another request committed meanwhile: the mapper's
    version check refuses at the flush, after the approval's side writes began; the savepoint takes them back."""
    chosen = plan_items(3, ItemStatus.SUBMITTED)
    middle = chosen[1]
    db.session.execute(sa.text("UPDATE work_items SET version = version + 1 WHERE id = :id"), {"id": middle.id})
    notices = db.session.execute(sa.select(sa.func.count()).select_from(Notification)).scalar()
    before = event_count()

    outcomes = bulk.decide(targets(chosen), bulk.Decision("approve"), actor=office, now=NOW)

    assert [o.ok for o in outcomes] == [True, False, True]
    assert outcomes[1].refusal is not None and outcomes[1].refusal.code == "stale_version"
    assert event_count() == before + 2
    assert db.session.execute(sa.select(sa.func.count()).select_from(Notification)).scalar() == notices + 2
    db.session.expire_all()
    assert [item.status for item in chosen] == [ItemStatus.DONE, ItemStatus.SUBMITTED, ItemStatus.DONE]


def test_only_the_office_is_offered_bulk_and_only_the_office_may(make_user, office: User):
    admin = make_user(Role.UNIT_ADMIN, "sfj")
    assert bulk.offered(office) == bulk.ACTIONS and bulk.offered(admin) == ()
    with pytest.raises(NotAllowed):
        bulk.decide([bulk.Target(1, 1)], bulk.Decision("approve"), actor=admin, now=NOW)


def test_a_decision_missing_what_its_action_needs_refuses_the_list(office: User):
    (item,) = plan_items(1, ItemStatus.SUBMITTED)
    with pytest.raises(Invalid) as refused:
        bulk.decide(targets([item]), bulk.Decision("redate", reason="调整"), actor=office, now=NOW)
    assert refused.value.fields == {"due_date": ["必填"]}


def test_a_bulk_body_asks_its_items_and_one_decision_whatever_door_it_came_through(app):
    """The API and the pages load a body with the same schema and read it with bulk.asked: an extension's note
    is the decision's why, as a return's reason is."""
    chosen, granted = bulk.asked("grant", {"items": [{"id": 3, "version": 2}, {"id": 5, "version": 1}],
                                           "note": "同意延期"})
    assert chosen == [bulk.Target(3, 2), bulk.Target(5, 1)]
    assert granted == bulk.Decision("grant", reason="同意延期")
    assert bulk.asked("redate", {"items": [], "due_date": NOW.date(), "reason": "调整"})[1] == bulk.Decision(
        "redate", reason="调整", due_date=NOW.date())


def test_a_bulk_reassignment_to_a_unit_that_does_not_exist_is_refused_naming_the_field(app):
    with pytest.raises(Invalid) as refused:
        bulk.asked("reassign", {"items": [{"id": 3, "version": 2}], "lead_unit_id": 2**31 - 1})
    assert refused.value.fields == {"lead_unit_id": ["不存在"]}


def test_statements_grow_linearly_with_the_items_decided(office: User, count_queries):
    """No statement per item beyond what the single-item service sends: 100 items cost at most twice 50."""
    first, second = plan_items(150, ItemStatus.SUBMITTED)[:50], None
    second = db.session.scalars(sa.select(WorkItem).where(WorkItem.status == ItemStatus.SUBMITTED,
                                                          WorkItem.id.not_in([i.id for i in first]))
                                .order_by(WorkItem.id)).all()
    assert len(second) == 100
    db.session.expire_all()
    with count_queries() as fifty:
        bulk.decide(targets(first), bulk.Decision("approve"), actor=office, now=NOW)
    db.session.expire_all()
    with count_queries() as hundred:
        bulk.decide(targets(second), bulk.Decision("approve"), actor=office, now=NOW)
    assert len(hundred) <= 2 * len(fifty)
    per_item = (len(hundred) - len(fifty)) / 50
    # the single-item approval's own: its rule's reads, the item's UPDATE, settling records, a notice and its mail
    # row, the audit chain's read and insert, its live event (tracker/services/work/live_events.py), a SAVEPOINT
    assert per_item <= 21, f"{per_item} statements per approval"
