"""The audit chain: every past event is bound to the one before it, so any later edit is detectable."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from flask import current_app
from tests.conftest import closing_evidence

from tracker.extensions import db
from tracker.models import Event, ItemStatus, Role
from tracker.services.trust import audit
from tracker.services.work import workflow

TAMPERS = {
    "at": datetime(2020, 1, 1, tzinfo=timezone.utc),
    "actor_id": None,
    "actor_label": "someone_else",
    "action": "item.approve",
    "entity_type": "unit",
    "entity_id": 999_999,
    "before": json.dumps({"status": "done"}),
    "after": json.dumps({"status": "done", "note": "改过"}),
    "hash": "f" * 64,
}


@pytest.fixture
def history(make_item, make_user, now) -> list[int]:
    item = make_item("sfj")
    mover = make_user(Role.UNIT_ADMIN, "sfj")
    workflow.move(item, actor=mover, to=ItemStatus.IN_PROGRESS, expected_version=item.version, now=now)
    workflow.move(item, actor=mover, to=ItemStatus.SUBMITTED, expected_version=item.version, now=now, note="报告",
                  evidence=closing_evidence(current_app))
    return list(db.session.scalars(sa.select(Event.id).where(Event.item_id == item.id).order_by(Event.id)))


def test_the_chain_of_the_loaded_plan_verifies(history):
    report = audit.verify_chain()
    assert report.ok
    assert report.checked == db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar()


@pytest.mark.parametrize("column", TAMPERS)
def test_editing_any_field_of_a_past_event_is_named_by_verification(history, column):
    target = history[1]
    if column == "actor_id":
        value = None if db.session.get(Event, target).actor_id else 1
    else:
        value = TAMPERS[column]
    table = Event.__table__
    db.session.execute(sa.update(table).where(table.c.id == target).values({column: value}))
    db.session.expire_all()
    report = audit.verify_chain()
    assert not report.ok
    assert report.first_bad_id == target


def test_deleting_a_past_event_is_named_by_verification(history):
    db.session.execute(sa.delete(Event.__table__).where(Event.__table__.c.id == history[1]))
    report = audit.verify_chain()
    assert report.first_bad_id == history[2]
    assert "prev_hash" in (report.problem or "")


def test_verify_audit_command_exits_nonzero_and_names_the_row(app, history):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["tracker", "verify-audit"])
    assert ok.exit_code == 0 and "审计链完整" in ok.output
    db.session.execute(sa.update(Event.__table__).where(Event.__table__.c.id == history[0])
                       .values(actor_label="forged"))
    db.session.expire_all()
    broken = runner.invoke(args=["tracker", "verify-audit"])
    assert broken.exit_code == 1
    assert f"事件 #{history[0]}" in broken.output


def test_a_fork_of_the_chain_is_impossible(history, now):
    """Two events claiming the same predecessor violate the unique prev_hash, so the chain stays a line."""
    last = db.session.get(Event, history[-1])
    duplicate = Event(at=now, actor_label="x", action="x", entity_type="x", entity_id=None,
                      prev_hash=last.prev_hash, hash="e" * 64)
    db.session.add(duplicate)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


SCAN_MOMENTS = ["2024-01-01T00:00", "2024-01-01T00:00+08:00", "2023-12-31T11:00-05:00", "2023-12-31T16:00Z"]


@pytest.mark.parametrize("at", SCAN_MOMENTS)
def test_the_chain_verifies_after_scan_overdue_at_a_time_in_any_zone(app, at):
    """The same instant given naive (plan zone), in Shanghai, New York or UTC: events are hashed in UTC."""
    runner = app.test_cli_runner()
    scanned = runner.invoke(args=["tracker", "scan-overdue", "--at", at])
    assert scanned.exit_code == 0, scanned.output
    db.session.expire_all()  # read the events back as the next process will
    verified = runner.invoke(args=["tracker", "verify-audit"])
    assert verified.exit_code == 0, verified.output
    scan = db.session.scalars(sa.select(Event).where(Event.action == "ladder.scan").order_by(Event.id.desc())
                              ).first()
    assert scan is not None and scan.at == datetime(2023, 12, 31, 16, 0, tzinfo=timezone.utc)


def test_an_event_written_in_shanghai_time_verifies_when_read_back(app, make_item):
    item = make_item("sfj")
    shanghai = datetime(2024, 1, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    event = audit.record(actor=None, action="item.note", entity_type="work_item", entity_id=item.id,
                         item_id=item.id, after={"until": shanghai}, now=shanghai)
    db.session.expire_all()
    assert audit.verify_chain().ok
    assert db.session.get(Event, event.id).after == {"until": "2024-01-01T01:00:00+00:00"}


def test_a_naive_time_is_refused_by_the_audit_trail(app):
    before = db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar()
    with pytest.raises(ValueError):
        audit.record(actor=None, action="x", entity_type="x", entity_id=None, now=datetime(2024, 1, 1, 9, 0))
    assert db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar() == before
