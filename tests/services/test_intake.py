"""Excel intake of a 任务分解表 (issue 12): a dry run names every bad row and writes nothing; a clean file creates
its items in one transaction; the same file again changes nothing."""
from __future__ import annotations

import io
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from tests.conftest import NOW
from tests.intake_helpers import NEW_UNITS, ad_hoc_count, forty_rows, sheet, unit_sheet

from tracker.errors import Invalid, NotAllowed
from tracker.extensions import db
from tracker.models import Event, ItemSource, Role, Unit, WorkItem
from tracker.services.io import intake, unit_intake


def tasks(rows: list[list[object]]) -> intake.Rows:
    """A 任务分解表 of these rows, as the doors read it before their transaction."""
    return intake.read_rows(sheet(rows))


@pytest.fixture
def unit_short_names(unit):
    """The sample units' names as the tests use them: 市市场监督管理局 is 市市场监管局's full name."""
    assert unit("scjgj").name == "市市场监督管理局" and unit("scjgj").short_name == "市市场监管局"


def test_a_dry_run_names_the_three_bad_rows_and_writes_nothing(office, plan, unit_short_names):
    rows = forty_rows()
    rows[4][2] = "不存在的局"          # sheet row 6
    rows[10][5] = "2023年2月30日"      # sheet row 12
    rows[20][3] = "市司法局、火星办"    # sheet row 22
    events_before = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    report = intake.import_tasks(tasks(rows), actor=office, plan=plan, commit=False, now=_now())
    refused = [(row.row, row.reasons) for row in report.rows if row.action == "refused"]
    assert [number for number, _ in refused] == [6, 12, 22]
    assert "不存在的局" in refused[0][1][0] and "2023年2月30日" in refused[1][1][0] and "火星办" in refused[2][1][0]
    assert report.count("created") == 37
    with pytest.raises(Invalid, match="6、12、22"):
        intake.import_tasks(tasks(rows), actor=office, plan=plan, commit=True, now=_now())
    assert ad_hoc_count() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == events_before


def test_the_corrected_file_creates_forty_items_and_again_changes_nothing(office, plan, unit_short_names, unit):
    before = ad_hoc_count()
    report = intake.import_tasks(tasks(forty_rows()), actor=office, plan=plan, commit=True, now=_now())
    assert report.committed and report.count("created") == 40 and ad_hoc_count() == before + 40
    item = db.session.get(WorkItem, report.rows[2].item_id)
    assert item.unit_id == unit("sfj").id or item.cooperators
    assert item.source == ItemSource.MEETING and item.source_ref == "市政府第12次常务会议"
    events = db.session.scalar(sa.select(sa.func.count()).select_from(Event))
    again = intake.import_tasks(tasks(forty_rows()), actor=office, plan=plan, commit=True, now=_now())
    assert again.count("unchanged") == 40 and ad_hoc_count() == before + 40
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Event)) == events


def test_an_edited_due_date_updates_the_item_keeping_the_original(office, plan, unit_short_names):
    intake.import_tasks(tasks(forty_rows()), actor=office, plan=plan, commit=True, now=_now())
    rows = forty_rows()
    rows[0][5] = date(2023, 9, 30)
    report = intake.import_tasks(tasks(rows), actor=office, plan=plan, commit=True, now=_now())
    assert report.count("updated") == 1 and report.count("unchanged") == 39
    item = db.session.get(WorkItem, report.rows[0].item_id)
    assert item.due_date == date(2023, 9, 30) and item.original_due_date == date(2023, 6, 2)


def test_an_ambiguous_unit_name_is_refused(office, plan, unit):
    unit("jiaqu_sfj").short_name = "市司法局"
    db.session.flush()
    report = intake.import_tasks(tasks([[1, "工作", "市司法局", "", "", "2023-06-30", "", ""]]), actor=office,
                                 plan=plan, commit=False, now=_now())
    assert report.rows[0].action == "refused" and "多个单位" in report.rows[0].reasons[0]


def test_only_the_office_imports_and_a_file_that_is_not_a_sheet_is_refused(make_user, office, plan):
    with pytest.raises(NotAllowed):
        intake.import_tasks(tasks([]), actor=make_user(Role.UNIT_ADMIN, "sfj"), plan=plan, commit=False,
                            now=_now())
    with pytest.raises(Invalid):
        intake.read_rows(io.BytesIO(b"not a spreadsheet"))


def test_the_template_has_the_eight_columns():
    header = [cell.value for cell in load_workbook(io.BytesIO(intake.template())).active[1]]
    assert header == list(intake.COLUMNS)


def _now() -> datetime:
    return NOW


def units_of(rows: list[list[object]]) -> intake.Rows:
    return unit_intake.read_units(unit_sheet(rows))


def test_the_unit_list_is_checked_row_by_row_then_written_whole_and_again_changes_nothing(office, unit):
    bad = [*NEW_UNITS, ["bad key", "坏单位", "", "township_gov", "", ""],
           ["loop", "环单位", "", "township_gov", "loop", ""], ["x1", "未知类型", "", "空间站", "", "not-mail"]]
    dry = unit_intake.import_units(units_of(bad), actor=office, commit=False, now=NOW)
    assert [(row.row, row.action) for row in dry.rows] == [
        (2, "created"), (3, "created"), (4, "refused"), (5, "refused"), (6, "refused")]
    assert "成环" in dry.rows[3].reasons[0] and len(dry.rows[4].reasons) == 2
    with pytest.raises(Invalid):
        unit_intake.import_units(units_of(bad), actor=office, commit=True, now=NOW)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit).where(Unit.key == "jiaqu_nanyuan")) == 0
    done = unit_intake.import_units(units_of(NEW_UNITS), actor=office, commit=True, now=NOW)
    assert done.committed and done.count("created") == 2
    assert unit("jiaqu_nanyuan_sq").parent.key == "jiaqu_nanyuan" and unit("jiaqu_nanyuan").parent.key == "jiaqu"
    again = unit_intake.import_units(units_of(NEW_UNITS), actor=office, commit=True, now=NOW)
    assert again.count("unchanged") == 2
