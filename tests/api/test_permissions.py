"""Who may call what: every route × every role, as services/trust/permissions.py and workflow.py say.

The item under test belongs to 市司法局 (sfj). Units see only their own unit's items (another unit gets 404,
as if the item did not exist); leaders read everything and change nothing (403); the office does all but
sign for a unit. No token at all is 401 everywhere.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.api.api_helpers import NOW, ApiClient, assert_error
from tests.intake_helpers import NEW_UNITS, forty_rows, sheet, unit_sheet

from tracker.extensions import db
from tracker.models import (
    AccountabilityRecord,
    Attachment,
    Indicator,
    IndicatorReport,
    ItemSource,
    ItemStatus,
    Notification,
    Plan,
    RecordStatus,
    Role,
    User,
    WorkItem,
)
from tracker.services.assessment import indicator_reports
from tracker.services.work import deadline_extensions, instructions, items, progress, splitting, workflow

ROLES = ("office", "leader", "sfj_admin", "sfj_member", "gaj_admin", "no_token")
PDF = b"%PDF-1.4\n%evidence\n"


@dataclass
class World:
    plan: Plan
    item: WorkItem
    submitted: WorkItem
    attachment_id: int
    extension_id: int
    task_id: int
    phase_id: int
    sfj_unit_id: int
    parameter_id: int
    notice_id: int
    answered_id: int
    notification_id: int
    shared: WorkItem
    proposal_id: int
    jiaqu_dongcheng_id: int
    indicator_id: int
    figure: IndicatorReport
    figure_file_id: int


@pytest.fixture
def world(plan: Plan, make_item: Callable[..., WorkItem], make_user: Callable[..., User], app: Any,
          office: User, unit: Callable[[str], Any]) -> World:
    item = make_item("sfj", due=date(2023, 6, 30))
    submitted = make_item("sfj", status=ItemStatus.SUBMITTED)
    carrier = make_user(Role.UNIT_ADMIN, "sfj")
    storage = progress.Storage(folder=Path(app.config["TRACKER_UPLOAD_DIR"]), max_bytes=1 << 20)
    progress.add_update(item, actor=carrier, text="进展", percent=10,
                        files=[progress.Upload("证明.pdf", io.BytesIO(PDF))], storage=storage, now=NOW)
    other = make_item("sfj", due=date(2023, 6, 30))
    extension = deadline_extensions.request_extension(other, actor=carrier, due=date(2023, 9, 30), reason="需要协调",
                                             now=NOW)
    param = next(p for t in plan.tasks for p in t.parameters)
    attachment_id = progress.updates_of(item)[0][1][0].id
    notice = AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=1, level_name="提醒",
                                  due_date=item.due_date, reason="逾期 1 天,已发提醒", issued_at=NOW)
    answered = AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=3, level_name="督办",
                                    due_date=item.due_date, reason="逾期 15 天", issued_at=NOW,
                                    answer_due=date(2023, 7, 20), answer_text="已说明", status=RecordStatus.ANSWERED)
    notification = Notification(unit_id=item.unit_id, kind="item_returned", item_id=item.id, text="退回",
                                created_at=NOW, batch_key="matrix")
    db.session.add_all([notice, answered, notification])
    db.session.flush()
    shared = items.create_ad_hoc(actor=office, plan=plan, source=ItemSource.MEETING, source_ref=None,
                                 title="公安局牵头、司法局配合", description="", due_date=date(2023, 6, 30),
                                 lead=unit("gaj"), cooperating=[unit("sfj")], now=NOW)
    proposal = instructions.propose(actor=make_user(Role.LEADER, "city"), title="调研", text="请调研",
                                    due_date=None, now=NOW)
    filing = db.session.execute(sa.select(Indicator).where(Indicator.key == "filing_review_rate")).scalar_one()
    figure = indicator_reports.report(filing, actor=carrier, period="2023", value=Decimal("97"), note="", now=NOW,
                               files=[progress.Upload("备案统计.pdf", io.BytesIO(PDF))], storage=storage)
    figure_file = db.session.execute(sa.select(Attachment).where(Attachment.indicator_report_id == figure.id)
                                     ).scalar_one()
    return World(plan=plan, item=item, submitted=submitted, attachment_id=attachment_id,
                 extension_id=extension.id, task_id=item.task_id, phase_id=item.phase_id,
                 sfj_unit_id=item.unit_id, parameter_id=param.id, notice_id=notice.id, answered_id=answered.id,
                 notification_id=notification.id, shared=shared, proposal_id=proposal.id,
                 jiaqu_dongcheng_id=unit("jiaqu_dongcheng").id, indicator_id=filing.id, figure=figure,
                 figure_file_id=figure_file.id)


Call = Callable[[ApiClient, World], Any]
# route name → (request, expected status per role in ROLES order, without no_token which is always 401)
MATRIX: dict[str, tuple[Call, tuple[int, int, int, int, int]]] = {
    "me": (lambda c, w: c.get("/me"), (200, 200, 200, 200, 200)),
    "list tokens": (lambda c, w: c.get("/tokens"), (200, 200, 200, 200, 200)),
    "create token": (lambda c, w: c.post("/tokens", json={"name": "脚本"}), (201, 201, 201, 201, 201)),
    "list plans": (lambda c, w: c.get("/plans"), (200, 200, 200, 200, 200)),
    "get plan": (lambda c, w: c.get(f"/plans/{w.plan.id}"), (200, 200, 200, 200, 200)),
    "set parameters": (lambda c, w: c.patch(f"/plans/{w.plan.id}/parameters",
                                            json={"parameters": [{"id": w.parameter_id, "value": "3"}]}),
                       (200, 403, 403, 403, 403)),
    "list units": (lambda c, w: c.get("/units"), (200, 200, 200, 200, 200)),
    "get unit": (lambda c, w: c.get(f"/units/{w.sfj_unit_id}"), (200, 200, 200, 200, 200)),
    "list items": (lambda c, w: c.get("/items"), (200, 200, 200, 200, 200)),
    "board": (lambda c, w: c.get("/board"), (200, 200, 200, 200, 200)),
    "create items": (lambda c, w: c.post("/items", json={
        "task_id": w.task_id, "phase_id": w.phase_id, "unit_ids": [w.sfj_unit_id], "title": "新工作",
        "due_date": "2023-10-31"}), (201, 403, 403, 403, 403)),
    "get item": (lambda c, w: c.get(f"/items/{w.item.id}"), (200, 200, 200, 200, 404)),
    "edit item": (lambda c, w: c.patch(f"/items/{w.item.id}", json={"title": "改", "version": w.item.version}),
                  (200, 403, 403, 403, 404)),
    "sign": (lambda c, w: c.post(f"/items/{w.item.id}/move", json={"to": "in_progress",
                                                                    "version": w.item.version}),
             (403, 403, 200, 200, 404)),
    "reorder": (lambda c, w: c.post(f"/items/{w.item.id}/move", json={"to": "assigned",
                                                                       "version": w.item.version}),
                (200, 403, 200, 200, 404)),
    "approve": (lambda c, w: c.post(f"/items/{w.submitted.id}/review", json={
        "decision": "approve", "version": w.submitted.version}), (200, 403, 403, 403, 404)),
    "return": (lambda c, w: c.post(f"/items/{w.submitted.id}/review", json={
        "decision": "return", "reason": "材料不全", "version": w.submitted.version}), (200, 403, 403, 403, 404)),
    "post update": (lambda c, w: c.post(f"/items/{w.item.id}/updates", data={"text": "进展", "percent": "50"}),
                    (201, 403, 201, 201, 404)),
    "list updates": (lambda c, w: c.get(f"/items/{w.item.id}/updates"), (200, 200, 200, 200, 404)),
    "download": (lambda c, w: c.get(f"/attachments/{w.attachment_id}"), (200, 200, 200, 200, 404)),
    "ask extension": (lambda c, w: c.post(f"/items/{w.item.id}/extensions", json={
        "due": "2023-08-31", "reason": "等待上级文件"}), (403, 403, 201, 201, 404)),
    "list extensions": (lambda c, w: c.get(f"/items/{w.item.id}/extensions"), (200, 200, 200, 200, 404)),
    "decide extension": (lambda c, w: c.post(f"/extensions/{w.extension_id}/decision",
                                             json={"decision": "grant"}), (200, 403, 403, 403, 404)),
    "item events": (lambda c, w: c.get(f"/items/{w.item.id}/events"), (200, 200, 200, 200, 404)),
    "feed": (lambda c, w: c.get("/events"), (200, 200, 403, 403, 403)),
    "list records": (lambda c, w: c.get("/records"), (200, 200, 200, 200, 200)),
    "to-do list": (lambda c, w: c.get("/todo"), (200, 200, 200, 200, 200)),
    "list webhooks": (lambda c, w: c.get("/webhooks"), (200, 403, 403, 403, 403)),
    "register a webhook": (lambda c, w: c.post("/webhooks", json={"url": "https://bridge.example/h",
                                                                  "events": ["item_returned"]}),
                           (201, 403, 403, 403, 403)),
    "webhook log": (lambda c, w: c.get("/webhooks/attempts"), (200, 403, 403, 403, 403)),
    "notifications": (lambda c, w: c.get("/notifications?unread=true"), (200, 200, 200, 200, 200)),
    "unread count": (lambda c, w: c.get("/notifications/unread-count"), (200, 200, 200, 200, 200)),
    "read all notifications": (lambda c, w: c.post("/notifications/read-all"), (200, 200, 200, 200, 200)),
    "read a unit's notification": (lambda c, w: c.post(f"/notifications/{w.notification_id}/read"),
                                   (404, 404, 200, 200, 404)),
    "read a notice": (lambda c, w: c.post(f"/records/{w.notice_id}/read"), (200, 200, 200, 200, 404)),
    "close records in bulk": (lambda c, w: c.post("/records/close", json={"record_ids": [w.answered_id],
                                                                          "note": "已整改"}),
                              (200, 403, 403, 403, 403)),
    "create ad-hoc item": (lambda c, w: c.post("/ad-hoc-items", json={
        "source": "letter_call", "title": "来电交办", "due_date": "2023-10-31", "lead_unit_id": w.sfj_unit_id}),
        (201, 403, 403, 403, 403)),
    "set units": (lambda c, w: c.put(f"/items/{w.item.id}/units", json={
        "lead_unit_id": w.sfj_unit_id, "cooperating_unit_ids": [], "version": w.item.version}),
        (200, 403, 403, 403, 404)),
    "set responsible": (lambda c, w: c.put(f"/items/{w.item.id}/responsible", json={
        "responsible_user_id": None, "contact_phone": "0571-1234567", "version": w.item.version}),
        (200, 403, 200, 403, 404)),
    # the shared item is led by 市公安局 (gaj) with 市司法局 cooperating
    "mark part done": (lambda c, w: c.post(f"/items/{w.shared.id}/part-done", json={"note": "已完成"}),
                       (403, 403, 200, 403, 403)),
    "split": (lambda c, w: c.post(f"/items/{w.item.id}/split", json={"parts": [
        {"unit_id": w.jiaqu_dongcheng_id, "title": "分解", "due_date": "2023-06-01"}]}), (403, 403, 422, 403, 404)),
    "cancel": (lambda c, w: c.post(f"/items/{w.item.id}/cancel", json={"reason": "调整", "version": w.item.version}),
               (200, 403, 403, 403, 404)),
    "list instructions": (lambda c, w: c.get(f"/items/{w.item.id}/instructions"), (200, 200, 200, 200, 404)),
    "instruct": (lambda c, w: c.post(f"/items/{w.item.id}/instructions", json={"text": "抓紧"}),
                 (403, 201, 403, 403, 404)),
    "propose": (lambda c, w: c.post("/proposals", json={"title": "批示件", "text": "请办理"}),
                (403, 201, 403, 403, 403)),
    "pending proposals": (lambda c, w: c.get("/proposals"), (200, 403, 403, 403, 403)),
    # the proposal was raised by another leader: a leader sees only their own
    "assign proposal": (lambda c, w: c.post(f"/proposals/{w.proposal_id}/assign", json={
        "lead_unit_id": w.sfj_unit_id, "due_date": "2023-10-31"}), (201, 404, 404, 404, 404)),
    "file proposal": (lambda c, w: c.post(f"/proposals/{w.proposal_id}/file", json={"note": "已阅"}),
                      (200, 404, 404, 404, 404)),
    "my instructions": (lambda c, w: c.get("/me/instructed"), (200, 200, 403, 403, 403)),
    "intake dry run": (lambda c, w: c.post("/intake/tasks", data={"file": (sheet(forty_rows()[:2]), "t.xlsx")}),
                       (200, 403, 403, 403, 403)),
    "intake template": (lambda c, w: c.get("/intake/tasks/template"), (200, 403, 403, 403, 403)),
    "unit list dry run": (lambda c, w: c.post("/intake/units", data={"file": (unit_sheet(NEW_UNITS), "u.xlsx")}),
                          (200, 403, 403, 403, 403)),
    "unit list template": (lambda c, w: c.get("/intake/units/template"), (200, 403, 403, 403, 403)),
    # the indicator is reported by 司法行政部门 (市司法局 is one, 市公安局 is not); 市司法局 reported 2023 already
    "list indicators": (lambda c, w: c.get("/indicators"), (200, 200, 200, 200, 200)),
    "get indicator": (lambda c, w: c.get(f"/indicators/{w.indicator_id}"), (200, 200, 200, 200, 200)),
    "indicator outcomes": (lambda c, w: c.get("/indicators/outcomes?state=pending"), (200, 200, 200, 200, 200)),
    "list figures": (lambda c, w: c.get(f"/indicators/{w.indicator_id}/reports"), (200, 200, 200, 200, 200)),
    "report a figure": (lambda c, w: c.post(f"/indicators/{w.indicator_id}/reports", data={
        "period": "2023", "value": "99.5", "note": "更正"}), (403, 403, 201, 201, 403)),
    "get a figure": (lambda c, w: c.get(f"/indicator-reports/{w.figure.id}"), (200, 200, 200, 200, 404)),
    "accept a figure": (lambda c, w: c.post(f"/indicator-reports/{w.figure.id}/decision", json={
        "decision": "accept", "version": w.figure.version}), (200, 403, 403, 403, 404)),
    "return a figure": (lambda c, w: c.post(f"/indicator-reports/{w.figure.id}/decision", json={
        "decision": "return", "reason": "缺少统计表", "version": w.figure.version}), (200, 403, 403, 403, 404)),
    "download a figure's evidence": (lambda c, w: c.get(f"/attachments/{w.figure_file_id}"),
                                     (200, 200, 200, 200, 404)),
    # a unit gets its own score only (tests/api/test_assessment.py)
    "assessment": (lambda c, w: c.get("/assessment?year=2023"), (200, 200, 200, 200, 200)),
    "assessment workbook": (lambda c, w: c.get("/assessment.xlsx?year=2023"), (200, 200, 200, 200, 200)),
    # at NOW (April 2023) no year is over: the office is told so, the others are refused
    "freeze assessment": (lambda c, w: c.post("/assessment/freeze", json={"year": 2023}), (422, 403, 403, 403, 403)),
    "reporting rhythms": (lambda c, w: c.get(f"/plans/{w.plan.id}/reporting-rhythms"), (200, 200, 200, 200, 200)),
    "set a reporting rhythm": (lambda c, w: c.put(f"/plans/{w.plan.id}/reporting-rhythms", json={
        "frequency": "quarterly", "day": 10}), (200, 403, 403, 403, 403)),
    "missed reports": (lambda c, w: c.get(f"/missed-reports?unit_id={w.sfj_unit_id}"), (200, 200, 200, 200, 200)),
}


@pytest.fixture
def caller(request: pytest.FixtureRequest, api_as: Callable[[User | None], ApiClient],
           make_user: Callable[..., User]) -> Callable[[str], ApiClient]:
    users = {"office": (Role.OFFICE_ADMIN, "office"), "leader": (Role.LEADER, "city"),
             "sfj_admin": (Role.UNIT_ADMIN, "sfj"), "sfj_member": (Role.UNIT_MEMBER, "sfj"),
             "gaj_admin": (Role.UNIT_ADMIN, "gaj")}

    def make(role: str) -> ApiClient:
        return api_as(None if role == "no_token" else make_user(*users[role]))
    return make


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(MATRIX))
def test_every_route_answers_every_role_as_the_rules_say(route: str, role: str, world: World,
                                                         caller: Callable[[str], ApiClient]) -> None:
    call, expected = MATRIX[route]
    response = call(caller(role), world)
    response.close()  # a download holds its file open until closed
    if role == "no_token":
        assert_error(response, 401, "unauthorized")
        return
    status = expected[ROLES.index(role)]
    if status >= 400:
        assert_error(response, status)
    else:
        assert response.status_code == status, response.get_data(as_text=True)


@pytest.mark.parametrize("role", ROLES[:5])
def test_deleting_ones_own_token_works_for_every_role(role: str, caller: Callable[[str], ApiClient]) -> None:
    client = caller(role)
    created = client.post("/tokens", json={"name": "临时"}).get_json()
    assert client.delete(f"/tokens/{created['id']}").status_code == 204
    assert client.get("/me", headers={"Authorization": f"Bearer {created['token']}"}).status_code == 401


def test_a_user_cannot_revoke_another_users_token(caller: Callable[[str], ApiClient]) -> None:
    office, unit = caller("office"), caller("sfj_admin")
    created = office.post("/tokens", json={"name": "办公室脚本"}).get_json()
    assert_error(unit.delete(f"/tokens/{created['id']}"), 404, "token_not_found")
    assert office.get("/me", headers={"Authorization": f"Bearer {created['token']}"}).status_code == 200


@pytest.mark.parametrize("who, expected", [("jiaqu_admin", 200), ("jiaqu_member", 403), ("yiqu_admin", 404),
                                           ("dongcheng_admin", 403), ("office", 200)])
def test_a_county_reviews_its_townships_child_item_and_another_county_cannot(
        who: str, expected: int, api_as: Callable[[User | None], ApiClient], make_user: Callable[..., User],
        plan: Plan, office: User, unit: Callable[[str], Any]) -> None:
    users = {name: make_user(Role.UNIT_MEMBER if name.endswith("member") else Role.UNIT_ADMIN, key)
             for name, key in (("jiaqu_admin", "jiaqu"), ("jiaqu_member", "jiaqu"), ("yiqu_admin", "yiqu"),
                               ("dongcheng_admin", "jiaqu_dongcheng"))} | {"office": office}
    parent = items.create_ad_hoc(actor=office, plan=plan, source=ItemSource.OTHER, source_ref=None, title="区级",
                                 description="", due_date=date(2023, 6, 30), lead=unit("jiaqu"), cooperating=[],
                                 now=NOW)
    (child,) = splitting.split(parent, actor=users["jiaqu_admin"], now=NOW, parts=[
        splitting.Part(unit("jiaqu_dongcheng"), "街道", date(2023, 6, 1))])
    workflow.move(child, actor=users["dongcheng_admin"], to=ItemStatus.IN_PROGRESS, expected_version=child.version,
                  now=NOW)
    workflow.move(child, actor=users["dongcheng_admin"], to=ItemStatus.SUBMITTED, expected_version=child.version,
                  now=NOW, note="完成")
    response = api_as(users[who]).post(f"/items/{child.id}/review", json={
        "decision": "return", "reason": "材料不全", "version": child.version})
    if expected >= 400:
        assert_error(response, expected)
        assert child.status == ItemStatus.SUBMITTED
    else:
        assert response.status_code == expected, response.get_json()
