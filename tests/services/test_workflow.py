"""The workflow and who may make which transition on whose items, enforced in the service layer."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import closing_evidence
from tracker.errors import Invalid, InvalidTransition, NotAllowed, StaleVersion
from tracker.extensions import db
from tracker.models import Event, ItemStatus, ProgressUpdate, Role
from tracker.services.work import workflow

A, P, S, D = ItemStatus.ASSIGNED, ItemStatus.IN_PROGRESS, ItemStatus.SUBMITTED, ItemStatus.DONE

# (role, whose item) -> the transitions that role may make; every other (role, unit, transition) is refused.
ACTORS = {
    "office_admin": (Role.OFFICE_ADMIN, "office"),
    "leader": (Role.LEADER, "city"),
    "unit_admin_own": (Role.UNIT_ADMIN, "sfj"),
    "unit_admin_other": (Role.UNIT_ADMIN, "jiaqu"),
    "unit_member_own": (Role.UNIT_MEMBER, "sfj"),
    "unit_member_other": (Role.UNIT_MEMBER, "jiaqu"),
}
WORKFLOW = {"sign": (A, P), "submit": (P, S), "approve": (S, D), "return": (S, P)}
ALLOWED = {
    ("office_admin", "approve"), ("office_admin", "return"),
    ("unit_admin_own", "sign"), ("unit_admin_own", "submit"),
    ("unit_member_own", "sign"),
}
NOTES = {"submit": "已完成,附佐证材料", "return": "佐证材料不全"}


@pytest.mark.parametrize("transition", WORKFLOW)
@pytest.mark.parametrize("actor_name", ACTORS)
def test_permission_matrix_for_every_role_transition_and_unit(app, make_item, make_user, now, actor_name,
                                                              transition):
    role, unit_key = ACTORS[actor_name]
    source, target = WORKFLOW[transition]
    item = make_item("sfj", status=source)
    actor = make_user(role, unit_key)
    version = item.version

    if (actor_name, transition) in ALLOWED:
        workflow.move(item, actor=actor, to=target, expected_version=version, now=now, note=NOTES.get(transition),
                      evidence=closing_evidence(app) if transition == "submit" else None)
        assert item.status == target
        assert item.version == version + 1
    else:
        with pytest.raises(NotAllowed):
            workflow.move(item, actor=actor, to=target, expected_version=version, now=now,
                          note=NOTES.get(transition))
        db.session.expire_all()
        assert item.status == source
        assert item.version == version


@pytest.mark.parametrize(("source", "target"), [(A, S), (A, D), (P, D), (P, A), (S, A), (D, P), (D, S), (D, A)])
def test_transitions_outside_the_workflow_are_refused_for_everyone(make_item, office, make_user, now, source, target):
    item = make_item("sfj", status=source)
    for actor in (office, make_user(Role.UNIT_ADMIN, "sfj")):
        with pytest.raises(InvalidTransition):
            workflow.move(item, actor=actor, to=target, expected_version=item.version, now=now, note="说明")
    assert item.status == source


def test_unit_cannot_approve_its_own_item(make_item, make_user, now):
    item = make_item("sfj", status=S)
    with pytest.raises(NotAllowed, match="承办单位不能自行办结"):
        workflow.move(item, actor=make_user(Role.UNIT_ADMIN, "sfj"), to=D, expected_version=item.version, now=now)


def test_office_cannot_approve_what_it_submitted_itself(app, make_item, make_user, now):
    item = make_item("office", status=P)
    submitter = make_user(Role.OFFICE_ADMIN, "office")
    workflow.move(item, actor=submitter, to=S, expected_version=item.version, now=now, note="办公室自身工作已完成",
                  evidence=closing_evidence(app))
    with pytest.raises(NotAllowed, match="不能审核自己提交"):
        workflow.move(item, actor=submitter, to=D, expected_version=item.version, now=now)
    workflow.move(item, actor=make_user(Role.OFFICE_ADMIN, "office"), to=D, expected_version=item.version, now=now)
    assert item.status == D


def test_a_return_needs_a_reason_and_the_card_shows_it(make_item, office, now):
    item = make_item("sfj", status=S)
    with pytest.raises(Invalid) as refused:
        workflow.move(item, actor=office, to=P, expected_version=item.version, now=now, note="  ")
    assert refused.value.code == "reason_required"
    workflow.move(item, actor=office, to=P, expected_version=item.version, now=now, note="佐证材料不全,请补充")
    assert item.returned_count == 1
    assert item.last_return_reason == "佐证材料不全,请补充"


def test_submitting_needs_a_closing_report_which_is_kept(app, make_item, make_user, now):
    item = make_item("sfj", status=P)
    unit_admin = make_user(Role.UNIT_ADMIN, "sfj")
    with pytest.raises(Invalid):
        workflow.move(item, actor=unit_admin, to=S, expected_version=item.version, now=now)
    workflow.move(item, actor=unit_admin, to=S, expected_version=item.version, now=now, note="已按期完成",
                  evidence=closing_evidence(app))
    report = db.session.execute(sa.select(ProgressUpdate).where(ProgressUpdate.item_id == item.id)).scalar_one()
    assert report.is_closing_report and report.text == "已按期完成" and report.author_id == unit_admin.id


def test_every_transition_writes_one_audit_event_with_before_and_after(app, make_item, make_user, office, now):
    item = make_item("sfj")
    unit_admin = make_user(Role.UNIT_ADMIN, "sfj")
    workflow.move(item, actor=unit_admin, to=P, expected_version=item.version, now=now)
    workflow.move(item, actor=unit_admin, to=S, expected_version=item.version, now=now, note="报告",
                  evidence=closing_evidence(app))
    workflow.move(item, actor=office, to=P, expected_version=item.version, now=now, note="退回理由")
    events = db.session.scalars(sa.select(Event).where(Event.item_id == item.id).order_by(Event.id)).all()
    assert [e.action for e in events] == ["item.create", "item.sign", "item.submit", "item.return"]
    last = events[-1]
    assert last.actor_id == office.id
    assert (last.before["status"], last.after["status"], last.after["note"]) == ("submitted", "in_progress", "退回理由")


def test_a_refused_move_writes_no_event(make_item, make_user, now):
    item, leader = make_item("sfj"), make_user(Role.LEADER, "city")
    events_before = db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar()
    with pytest.raises(NotAllowed):
        workflow.move(item, actor=leader, to=P, expected_version=item.version, now=now)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Event)).scalar() == events_before


def test_two_changes_from_the_same_version_one_wins_one_is_refused(make_item, make_user, now):
    item = make_item("sfj")
    seen_version = item.version
    first, second = make_user(Role.UNIT_ADMIN, "sfj"), make_user(Role.UNIT_MEMBER, "sfj")
    workflow.move(item, actor=first, to=P, expected_version=seen_version, now=now)
    with pytest.raises(StaleVersion) as refused:
        workflow.move(item, actor=second, to=P, expected_version=seen_version, now=now)
    assert refused.value.fields == {"version": seen_version + 1}
    assert item.version == seen_version + 1
