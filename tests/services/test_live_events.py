"""Live events: a committed change to an item is announced once, with the units that may see it; a refused or
rolled-back change announces nothing; the stream's visibility is the board's predicate."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tracker.errors import StaleVersion
from tracker.extensions import db
from tracker.models import ItemStatus, LiveEvent, Role
from tracker.services.trust import permissions
from tracker.services.work import live_events, workflow


def test_a_committed_move_is_announced_with_its_new_version_and_units(app, make_item, make_user, now, unit):
    item = make_item("sfj")
    db.session.commit()
    before = live_events.last_id()
    carrier = make_user(Role.UNIT_ADMIN, "sfj")
    workflow.move(item, actor=carrier, to=ItemStatus.IN_PROGRESS, expected_version=item.version, now=now)
    db.session.commit()
    (change,) = live_events.after(before)
    assert (change.item_id, change.kind, change.version) == (item.id, "item.sign", item.version)
    assert change.unit_ids == (unit("sfj").id,)


def test_a_rolled_back_change_is_not_announced(app, make_item, make_user, now):
    item = make_item("sfj")
    db.session.commit()
    before = live_events.last_id()
    carrier = make_user(Role.UNIT_ADMIN, "sfj")
    db.session.commit()
    workflow.move(item, actor=carrier, to=ItemStatus.IN_PROGRESS, expected_version=item.version, now=now)
    db.session.rollback()
    db.session.commit()
    assert live_events.after(before) == []


def test_a_stale_move_is_refused_and_announces_nothing(app, make_item, make_user, now):
    item = make_item("sfj")
    db.session.commit()
    before = live_events.last_id()
    carrier = make_user(Role.UNIT_ADMIN, "sfj")
    with pytest.raises(StaleVersion):
        workflow.move(item, actor=carrier, to=ItemStatus.IN_PROGRESS, expected_version=item.version - 1, now=now)
    db.session.rollback()
    assert live_events.after(before) == []


def test_one_event_per_item_however_many_audit_events_the_transaction_wrote(app, make_item, office, now):
    item = make_item("sfj", status=ItemStatus.SUBMITTED)
    before = live_events.last_id()
    db.session.commit()
    assert [c.item_id for c in live_events.after(before)] == [item.id]


def test_event_ids_only_grow(app, make_item):
    first = make_item("sfj")
    db.session.commit()
    second = make_item("jiaqu")
    db.session.commit()
    ids = db.session.execute(sa.select(LiveEvent.id, LiveEvent.item_id).order_by(LiveEvent.id)).all()
    assert [i for _id, i in ids][-2:] == [first.id, second.id]


def test_a_unit_sees_only_events_of_items_its_units_carry(app, make_item, make_user, unit):
    before = live_events.last_id()
    sfj_item, other_item = make_item("sfj"), make_item("jiaqu")
    db.session.commit()
    changes = {c.item_id: c for c in live_events.after(before)}
    sfj_sight = permissions.sight(make_user(Role.UNIT_MEMBER, "sfj"))
    office_sight = permissions.sight(make_user(Role.OFFICE_ADMIN, "office"))
    assert sfj_sight.sees_units(changes[sfj_item.id].unit_ids)
    assert not sfj_sight.sees_units(changes[other_item.id].unit_ids)
    assert office_sight.sees_units(changes[other_item.id].unit_ids)


def test_old_events_are_pruned_once_a_day_old(app, make_item, now, monkeypatch):
    monkeypatch.setattr(live_events, "PRUNE_EVERY", 1)
    db.session.execute(sa.delete(LiveEvent))
    db.session.add(LiveEvent(at=now - live_events.KEEP * 2, item_id=1, kind="item.sign", version=1, unit_ids=[]))
    db.session.flush()
    old = live_events.last_id()
    make_item("sfj")
    db.session.commit()
    assert db.session.get(LiveEvent, old) is None
    assert live_events.missed_some(old - 1)  # a page that last saw the event before it reloads, not replays
    assert not live_events.missed_some(old)
