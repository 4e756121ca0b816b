"""The plan's "X" in titles: once the office sets every parameter of the shipped plan, no page, notification or
export an office or a unit reads shows a title with a lone X (不少于X次) where the value is set (issue 20, 4).

One scenario drives a unit's X items through what lists titles: 我的待办 (to sign, returned, notices to answer,
extension decisions, and the whole of a section), the bell's notifications (a return, an extension decision, a
notice issued), the ledger page and its XLSX/CSV, the items 台账, 定期报送, the office's workspace and the
assessment workbook; then reads them all."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from tests.conftest import closing_evidence
from tracker.extensions import db
from tracker.models import (AccountabilityRecord, ItemStatus, ItemTemplate, MissedReport, Notification, Role,
                            TaskParameter, User, WorkItem)
from tracker.services.ledger import records
from tracker.services.plan import plans
from tracker.services.work.detail import item_detail
from tracker.services.work import deadline_extensions, workflow
from tracker.services.work.deadlines import Deadlines
from tracker.services.ledger.ladder import parse_ladder

# The plan's X as its wording has it: between Chinese characters (不少于X次) or before a percent sign (达到X%).
LONE_X = re.compile(r"[\u4e00-\u9fff]X(?:[\u4e00-\u9fff%]|$)")


def set_every_parameter(plan, office, now) -> None:
    params = db.session.scalars(sa.select(TaskParameter).join(TaskParameter.task).where(
        TaskParameter.task.has(plan_id=plan.id))).all()
    plans.set_parameters(plan, actor=office, now=now,
                         values={p.id: ("95" if p.unit_label == "%" else "4") for p in params})


def x_items(unit_id: int) -> list[WorkItem]:
    """The unit's items whose stored title still has the plan's X: the ones that must read a value."""
    found = db.session.scalars(sa.select(WorkItem).join(ItemTemplate, ItemTemplate.id == WorkItem.template_id).where(
        WorkItem.unit_id == unit_id, ItemTemplate.x_keys.is_not(None)).order_by(WorkItem.due_date, WorkItem.id))
    return [item for item in found if LONE_X.search(item.title)]


def shown_title(item: WorkItem) -> str:
    """The title the item page shows (the substitution the board and the item page always made)."""
    office = db.session.scalars(sa.select(User).where(User.role == Role.OFFICE_ADMIN)).first()
    return item_detail(item, Deadlines(today=date(2023, 4, 3), warning_days=7), actor=office)["title"]


def lone_xs(text: str) -> list[str]:
    return [text[max(0, m.start() - 12):m.end() + 4] for m in LONE_X.finditer(text)]


def xlsx_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                     for cell in row if cell is not None)


@pytest.fixture
def shipped_plan_with_values(app, plan, people, unit, make_user, now):
    """市司法局's X items worked through every list that names them, with every parameter of the plan set."""
    office, admin = people["office"], people["sfj_admin"]
    set_every_parameter(plan, office, now)
    found = x_items(unit("sfj").id)
    assert len(found) >= 4, "the shipped plan gives 市司法局 items with an X in their title"
    returned, extended, noticed, missed = found[:4]
    for item in (returned, extended):
        workflow.move(item, actor=admin, to=ItemStatus.IN_PROGRESS, expected_version=item.version, now=now)
    workflow.move(returned, actor=admin, to=ItemStatus.SUBMITTED, expected_version=returned.version, now=now,
                  note="已完成", evidence=closing_evidence(app))
    second_office = make_user(Role.OFFICE_ADMIN, "office")
    workflow.review(returned, actor=second_office, decision="return", expected_version=returned.version, now=now,
                    reason="请补充佐证")
    workflow.move(returned, actor=admin, to=ItemStatus.SUBMITTED, expected_version=returned.version, now=now,
                  note="已补充")  # waits in the office's review queue again
    request = deadline_extensions.request_extension(extended, actor=admin, due=extended.due_date + timedelta(days=30),
                                           reason="需要更多时间", now=now)
    deadline_extensions.decide(request, actor=office, grant=True, note="同意", now=now)
    for item in found:
        db.session.add(AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=3, level_name="督办",
                                            due_date=item.due_date, reason="逾期 16 天", issued_at=now,
                                            answer_due=date(2023, 4, 10)))
    db.session.flush()
    record = db.session.scalars(sa.select(AccountabilityRecord).where(
        AccountabilityRecord.item_id == noticed.id)).one()
    records.escalate(record, actor=office, note="逾期未答复", now=now,
                      ladder=parse_ladder(app.config["TRACKER_LADDER"]), timezone=plan.timezone)
    db.session.add(MissedReport(item_id=missed.id, unit_id=missed.unit_id, period="2023-03",
                                due_on=date(2023, 3, 25), flagged_at=now))
    db.session.flush()
    return found


def test_no_page_notification_or_export_shows_a_lone_x_once_the_plan_sets_its_values(
        sign_in, people, shipped_plan_with_values, unit):
    found = shipped_plan_with_values
    shown = {shown_title(item) for item in found}
    assert all(not LONE_X.search(title) for title in shown) and any("不少于4次" in title for title in shown)
    sfj = unit("sfj").id
    pages = {
        "office": ["/", "/todo/to_review", "/office/", f"/ledger?unit={sfj}", "/reporting/",
                   f"/ledger/export.csv?unit={sfj}", f"/ledger/export.xlsx?unit={sfj}", f"/ledger/items.xlsx?unit={sfj}",
                   "/assessment.xlsx?year=2023", "/notifications",
                   "/board?q=不少于4次&lanes=unit"],
        "sfj_admin": ["/", "/todo/to_answer", "/notifications", "/ledger", "/reporting/", "/ledger/export.csv",
                      "/ledger/items.xlsx"],
    }
    seen: dict[str, list[str]] = {}
    unlisted: list[str] = []
    for who, urls in pages.items():
        client = sign_in(people[who])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (who, url, response.status_code)
            text = (xlsx_text(response.data) if url.split("?")[0].endswith(".xlsx")
                    else response.get_data(as_text=True))
            seen[f"{who} {url}"] = lone_xs(text)
            if not any(title in text for title in shown) and (who, url) != ("office", "/notifications"):
                unlisted.append(f"{who} {url}")
    assert {where: xs for where, xs in seen.items() if xs} == {}
    assert unlisted == [], "none of the unit's X items is listed there: the scan would prove nothing"
    texts = db.session.scalars(sa.select(Notification.text).where(Notification.unit_id == sfj)).all()
    assert texts and [text for text in texts if LONE_X.search(text)] == []
    # an item's page (whose 计划要求 quotes the plan's own words, X and all) names it in the tab as its card does
    client = sign_in(people["sfj_admin"])
    for item in found[:2]:
        assert f"<title>{shown_title(item)} · " in client.get(f"/items/{item.id}").get_data(as_text=True)


def test_the_csv_export_reads_the_value_in_its_title_column(sign_in, people, shipped_plan_with_values, unit):
    response = sign_in(people["office"]).get(f"/ledger/export.csv?unit={unit('sfj').id}")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    titles = {row[3] for row in rows[1:]}
    assert titles and not any(LONE_X.search(title) for title in titles)
    assert {shown_title(item) for item in shipped_plan_with_values} <= titles
