"""The office's reading pages in a real browser: the dashboard (screenshot for the artifacts) and the ledger's
Excel export, opened with openpyxl."""
from __future__ import annotations

from datetime import date

from openpyxl import load_workbook

from tracker.models import ItemStatus

from .e2e_helpers import log_in, shoot


def test_the_office_reads_the_dashboard(page, city):
    city.card("d", "仪表盘事项", status=ItemStatus.DONE)
    log_in(page, "e2e_office")
    page.goto("/dashboard")
    assert page.locator("svg.trend polyline.line-done").count() == 1
    assert page.locator("svg.bar").count() > 5
    assert "单位排名" in page.inner_text("main")
    shoot(page, "dashboard")


def test_the_office_exports_the_ledger_to_excel(page, city, tmp_path):
    city.card("l", "台账导出事项", due=date(2023, 3, 1), status=ItemStatus.IN_PROGRESS)
    city.record("l", "逾期 16 天,已发督办通知")
    log_in(page, "e2e_office")
    page.goto("/ledger")
    assert "逾期 16 天" in page.inner_text("#ledger-table")
    with page.expect_download() as download:
        page.click("text=导出 Excel(XLSX)")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    rows = list(load_workbook(saved).active.iter_rows(values_only=True))
    assert rows[1][:4] == ("序号", "任务编号", "单位", "工作项")
    assert any(row[3] == "台账导出事项" and row[6] == "逾期 16 天,已发督办通知" for row in rows[2:])
    assert saved.name.startswith("督办台账_")
    shoot(page, "ledger")
