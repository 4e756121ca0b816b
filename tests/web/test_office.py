"""The office workspace: assigning, reviewing, extensions and parameters; nobody else gets in."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import ExtensionStatus, ItemStatus, Phase, Task, TaskParameter, WorkItem
from tracker.services.work import deadline_extensions


def test_the_workspace_lists_the_review_queue_and_pending_extensions(sign_in, people, make_item, now):
    submitted = make_item("sfj", status=ItemStatus.SUBMITTED, title="待审核事项甲")
    waiting = make_item("gaj", status=ItemStatus.IN_PROGRESS, title="申请延期事项")
    deadline_extensions.request_extension(waiting, actor=people["other_admin"], due=date(2024, 6, 30), reason="需调研", now=now)
    html = sign_in(people["office"]).get("/office/").get_data(as_text=True)
    assert f'id="review-{submitted.id}"' in html and "申请延期事项" in html and "需调研" in html


@pytest.mark.parametrize("role", ["leader", "sfj_admin", "sfj_member"])
def test_only_the_office_may_open_or_use_the_workspace(sign_in, people, make_item, role):
    item = make_item("sfj", status=ItemStatus.SUBMITTED)
    client = sign_in(people[role])
    assert client.get("/office/").status_code == 403
    assert client.post(f"/review/{item.id}", data={"decision": "approve", "version": item.version}
                       ).status_code == 403
    assert item.status == ItemStatus.SUBMITTED


def test_assigning_one_task_to_many_units(sign_in, people, plan, unit):
    task = db.session.execute(sa.select(Task).where(Task.plan_id == plan.id, Task.number == 5)).scalar_one()
    phase = db.session.execute(sa.select(Phase).where(Phase.plan_id == plan.id)).scalars().first()
    response = sign_in(people["office"]).post("/office/assign", data={
        "task_id": task.id, "phase_id": phase.id, "unit_ids": [unit("sfj").id, unit("gaj").id],
        "title": "交办测试", "due_date": "2024-06-30", "description": "说明", "priority": "high"})
    assert response.status_code == 303
    created = db.session.scalars(sa.select(WorkItem).where(WorkItem.title == "交办测试")).all()
    assert {i.unit_id for i in created} == {unit("sfj").id, unit("gaj").id}
    assert all(i.status == ItemStatus.ASSIGNED for i in created)


def test_assigning_with_a_date_outside_the_plan_is_refused_in_words(sign_in, people, plan, unit):
    task = db.session.execute(sa.select(Task).where(Task.plan_id == plan.id)).scalars().first()
    phase = db.session.execute(sa.select(Phase).where(Phase.plan_id == plan.id)).scalars().first()
    response = sign_in(people["office"]).post("/office/assign", headers={"HX-Request": "true"}, data={
        "task_id": task.id, "phase_id": phase.id, "unit_ids": [unit("sfj").id], "title": "越界",
        "due_date": "2030-01-01"})
    assert response.status_code == 422 and "截止日期须在计划起止日期" in response.get_data(as_text=True)


def test_return_needs_a_reason_then_approve(sign_in, people, make_item, make_user):
    item = make_item("sfj", status=ItemStatus.SUBMITTED)
    client = sign_in(people["office"])
    refused = client.post(f"/review/{item.id}", data={"decision": "return", "version": item.version},
                          headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "退回必须说明理由" in refused.get_data(as_text=True)
    returned = client.post(f"/review/{item.id}", data={
        "decision": "return", "version": item.version, "reason": "材料不全"})
    assert returned.status_code == 303 and item.status == ItemStatus.IN_PROGRESS
    assert item.last_return_reason == "材料不全"


def test_the_office_grants_an_extension(sign_in, people, make_item, now):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    request = deadline_extensions.request_extension(item, actor=people["sfj_admin"], due=date(2024, 6, 30), reason="x",
                                           now=now)
    response = sign_in(people["office"]).post(f"/extensions/{request.id}/decide", data={"decision": "grant", "next": "/office/"})
    assert response.status_code == 303
    assert request.status == ExtensionStatus.GRANTED and item.due_date == date(2024, 6, 30)
    assert item.original_due_date == date(2023, 12, 31)


def test_refusing_an_extension_needs_a_note(sign_in, people, make_item, now):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS)
    request = deadline_extensions.request_extension(item, actor=people["sfj_admin"], due=date(2024, 6, 30), reason="x",
                                           now=now)
    response = sign_in(people["office"]).post(f"/extensions/{request.id}/decide", data={"decision": "refuse"})
    assert response.status_code == 422 and request.status == ExtensionStatus.PENDING


def test_setting_the_plans_parameters(sign_in, people, plan):
    param = db.session.execute(sa.select(TaskParameter)).scalars().first()
    response = sign_in(people["office"]).post("/office/parameters", data={"plan_id": plan.id,
                                                                          f"param-{param.id}": "3"})
    assert response.status_code == 303 and param.value == "3"
