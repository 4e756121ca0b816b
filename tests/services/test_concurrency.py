"""Optimistic concurrency across real sessions: a change made from an old copy is refused, not merged."""
from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from tracker.errors import StaleVersion
from tracker.extensions import db
from tracker.models import ItemStatus, Role, Unit, WorkItem
from tracker.services.trust import accounts
from tracker.services.work import workflow


def test_two_sessions_changing_the_same_version_one_wins_one_is_refused(committed_app, now):
    with committed_app.app_context():
        sfj = db.session.execute(sa.select(Unit).where(Unit.key == "sfj")).scalar_one()
        hasher = committed_app.extensions["password_hasher"]
        for name, role in (("first", Role.UNIT_ADMIN), ("second", Role.UNIT_MEMBER)):
            accounts.create_user(username=name, display_name=name, role=role, unit=sfj, password="Correct-Horse-9",
                                 hasher=hasher, actor=None, now=now)
        item_id = db.session.execute(sa.select(WorkItem.id).where(WorkItem.unit_id == sfj.id)).scalars().first()
        db.session.commit()

    both_read = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def sign(username: str, wait_for: threading.Event | None, done: threading.Event) -> None:
        with committed_app.app_context():
            actor = accounts.user_by_name(username)
            item = db.session.get(WorkItem, item_id)
            seen = item.version
            db.session.commit()  # end the reading transaction; the copy in memory stays at `seen`
            both_read.wait()
            if wait_for:
                wait_for.wait(10)
            try:
                workflow.move(item, actor=actor, to=ItemStatus.IN_PROGRESS, expected_version=seen, now=now)
                db.session.commit()
                outcomes[username] = "won"
            except StaleVersion:
                db.session.rollback()
                outcomes[username] = "refused"
            finally:
                done.set()
                db.session.remove()

    first_done, second_done = threading.Event(), threading.Event()
    threads = [threading.Thread(target=sign, args=("first", None, first_done)),
               threading.Thread(target=sign, args=("second", first_done, second_done))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert outcomes == {"first": "won", "second": "refused"}
    with committed_app.app_context():
        item = db.session.get(WorkItem, item_id)
        assert item.version == 2 and item.status == ItemStatus.IN_PROGRESS
        db.session.remove()


@pytest.mark.parametrize("stale_by", [1, 5])
def test_a_replayed_old_version_is_refused(make_item, make_user, now, stale_by):
    item = make_item("sfj")
    mover = make_user(Role.UNIT_ADMIN, "sfj")
    with pytest.raises(StaleVersion):
        workflow.move(item, actor=mover, to=ItemStatus.IN_PROGRESS, expected_version=item.version - stale_by, now=now)
    assert item.status == ItemStatus.ASSIGNED
