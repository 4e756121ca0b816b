"""Exports an office can print: a Chinese file name with the filter and the day, a frozen title row naming the
filter, fitted widths, typed dates, an autofilter, and the 任务编号 / 逾期天数 / status columns; the items 台账
beside the records ledger, in XLSX and CSV."""
from __future__ import annotations

import csv
import io
from datetime import date
from urllib.parse import unquote

from openpyxl import load_workbook

from tracker.extensions import db
from tracker.models import AccountabilityRecord, ItemStatus
from tracker.clock import utcnow
from tracker.services.plan.workdays import WEEKDAYS_ONLY
from tracker.services.work import contests, progress
from tracker.services.work.deadlines import local_today

DUE = date(2024, 6, 1)


def today() -> date:
    return local_today(utcnow(), "Asia/Shanghai")


def _filename(response) -> str:
    header = response.headers["Content-Disposition"]
    assert header.startswith("attachment; filename=\"") and "filename*=UTF-8''" in header
    return unquote(header.split("filename*=UTF-8''")[1])


def _book(response):
    return load_workbook(io.BytesIO(response.data)).active


def test_the_ledger_xlsx_prints_with_title_widths_dates_and_autofilter(sign_in, people, make_item, now, unit):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS, title="打印台账事项", task_number=8, due=DUE)
    db.session.add(AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=3, level_name="督办",
                                        due_date=item.due_date, reason="逾期 16 天,已发督办通知", issued_at=now,
                                        answer_due=date(2024, 6, 20)))
    db.session.flush()
    response = sign_in(people["office"]).get(f"/ledger/export.xlsx?level=3&unit={unit('sfj').id}")
    assert _filename(response) == f"督办台账_市司法局_督办_{today():%Y%m%d}.xlsx"
    sheet = _book(response)
    assert sheet["A1"].value == f"领导小组办公室 督办台账 · 市司法局 · 督办 · 截至 {today().isoformat()}"
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref.startswith("A2:")
    header = [cell.value for cell in sheet[2]]
    row = dict(zip(header, [cell for cell in sheet[3]]))
    assert row["任务编号"].value == 8 and row["工作项状态"].value == "进行中" and row["逾期天数"].value == (today() - DUE).days
    assert row["截止日期"].is_date and row["截止日期"].value.date() == date(2024, 6, 1)
    assert row["答复期限"].is_date and row["督办时间"].is_date
    widths = {cell.column_letter: sheet.column_dimensions[cell.column_letter].width for cell in sheet[2]}
    assert widths[row["理由"].column_letter] >= len("逾期 16 天,已发督办通知") * 1.5
    assert all(width >= 6 for width in widths.values())


def test_the_items_ledger_exports_items_with_their_last_progress(sign_in, people, make_item, app, now):
    item = make_item("sfj", status=ItemStatus.IN_PROGRESS, title="台账工作项", task_number=8, due=DUE)
    carrier = people["sfj_admin"]
    storage = progress.Storage(app.config["TRACKER_UPLOAD_DIR"], app.config["TRACKER_UPLOAD_MAX_BYTES"])
    progress.add_update(item, actor=carrier, text="已完成初稿", percent=60, files=[], storage=storage, now=now)
    contests.raise_contest(item, actor=carrier, reason="职责不符", proposed_unit_id=None, calendar=WEEKDAYS_ONLY,
                           now=now)
    client = sign_in(people["office"])
    xlsx = client.get("/ledger/items.xlsx?q=台账工作项")
    text = client.get("/ledger/items.csv?q=台账工作项")
    assert _filename(xlsx) == f"工作项台账_“台账工作项”_{today():%Y%m%d}.xlsx"
    sheet = _book(xlsx)
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref == "A2:L3"
    assert [cell.value for cell in sheet[2]] == ["序号", "任务编号", "单位", "工作项", "责任人", "状态", "截止日期",
                                                 "逾期天数", "最近进展", "报送日期", "报送人", "退办 / 异议"]
    values = [cell.value for cell in sheet[3]]
    assert values[:4] == [1, 8, "市司法局", "台账工作项"] and values[5] == "进行中"
    assert sheet["G3"].is_date and values[7] == (today() - DUE).days
    assert values[8] == "已完成初稿" and sheet["J3"].is_date and values[10] == carrier.display_name
    assert values[11] == "异议中,待办公室处理:职责不符"
    rows = list(csv.reader(io.StringIO(text.data.decode("utf-8-sig"))))
    assert rows[0][0] == "序号" and rows[1][3] == "台账工作项" and rows[1][6] == "2024-06-01"
    assert _filename(text).endswith(".csv")


def test_a_unit_exports_only_its_own_items(sign_in, people, make_item):
    make_item("sfj", title="司法局的台账项")
    make_item("gaj", title="公安局的台账项")
    body = sign_in(people["sfj_member"]).get("/ledger/items.csv").get_data(as_text=True)
    assert "司法局的台账项" in body and "公安局的台账项" not in body
