"""The accountability ledger: filters, visibility, exports (XLSX opened with openpyxl, CSV with a BOM), and the
record actions (a unit answers, the office closes or escalates)."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from tracker.extensions import db
from tracker.models import AccountabilityRecord, ItemStatus, RecordStatus


@pytest.fixture
def make_record(make_item, now):
    def make(unit_key: str = "sfj", *, level: int = 3, reason: str = "逾期 16 天,已发督办通知") -> AccountabilityRecord:
        item = make_item(unit_key, status=ItemStatus.IN_PROGRESS, title=f"台账事项{unit_key}")
        record = AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=level,
                                      level_name={1: "提醒", 2: "催办", 3: "督办", 4: "通报"}[level],
                                      due_date=item.due_date, reason=reason, issued_at=now,
                                      answer_due=date(2099, 1, 1) if level == 3 else None)
        db.session.add(record)
        db.session.flush()
        return record
    return make


def test_a_unit_sees_only_its_own_records(sign_in, people, make_record):
    make_record("sfj", reason="本单位的督办")
    make_record("gaj", reason="他单位的督办")
    html = sign_in(people["sfj_admin"]).get("/ledger").get_data(as_text=True)
    assert "本单位的督办" in html and "他单位的督办" not in html


def test_the_office_filters_by_level_in_place(sign_in, people, make_record):
    make_record("sfj", level=1, reason="一级提醒")
    make_record("gaj", level=3, reason="三级督办")
    response = sign_in(people["office"]).get("/ledger?level=3", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.startswith('<div id="ledger-table">') and "三级督办" in html and "一级提醒" not in html


def test_the_xlsx_export_holds_what_is_shown_and_opens_in_openpyxl(sign_in, people, make_record):
    make_record("sfj", level=1, reason="一级提醒")
    make_record("gaj", level=3, reason="三级督办")
    response = sign_in(people["office"]).get("/ledger/export.xlsx?level=3")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:7] == ("序号", "任务编号", "单位", "工作项", "工作项状态", "督办等级", "理由")
    reasons = [r[6] for r in rows[2:]]
    assert "三级督办" in reasons and "一级提醒" not in reasons


def test_the_csv_export_starts_with_a_bom_for_excel(sign_in, people, make_record):
    make_record("sfj")
    response = sign_in(people["sfj_member"]).get("/ledger/export.csv")
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][0] == "序号" and any("逾期 16 天" in cell for cell in rows[1])
    assert all(row[2] == "市司法局" for row in rows[1:])


def test_a_unit_answers_a_supervision_notice_on_the_item_page(sign_in, people, make_record):
    record = make_record("sfj")
    client = sign_in(people["sfj_member"])
    assert "答复督办" in client.get(f"/items/{record.item_id}").get_data(as_text=True)
    response = client.post(f"/records/{record.id}/answer", data={
        "explanation": "人员调整导致延误,已补齐", "remedy_date": "2099-01-31"})
    assert response.status_code == 303 and record.status == RecordStatus.ANSWERED


def test_another_unit_cannot_answer(sign_in, people, make_record):
    record = make_record("sfj")
    response = sign_in(people["other_admin"]).post(f"/records/{record.id}/answer", data={
        "explanation": "x", "remedy_date": "2099-01-31"})
    assert response.status_code == 404 and record.status == RecordStatus.OPEN


def test_the_office_closes_and_escalates(sign_in, people, make_record):
    record = make_record("sfj", level=2)
    client = sign_in(people["office"])
    assert client.post(f"/records/{record.id}/escalate", data={"note": "多次催办无果"}).status_code == 303
    assert db.session.query(AccountabilityRecord).filter_by(item_id=record.item_id, level=3).count() == 1
    assert client.post(f"/records/{record.id}/close", data={"note": "已整改到位"}).status_code == 303
    assert record.status == RecordStatus.CLOSED


@pytest.mark.parametrize("role", ["leader", "sfj_admin"])
def test_only_the_office_closes(sign_in, people, make_record, role):
    record = make_record("sfj")
    assert sign_in(people[role]).post(f"/records/{record.id}/close", data={"note": "x"}).status_code == 403
