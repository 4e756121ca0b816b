"""Spreadsheets for the intake tests of every door: 任务分解表 and unit lists as openpyxl writes them, and crafted
XLSX files built from zip parts and XML strings, as an attacker would."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import sqlalchemy as sa
from openpyxl.utils import get_column_letter

from tracker.extensions import db
from tracker.models import Event, Unit, WorkItem
from tracker.services.io import intake, unit_intake

LEADS = ["市司法局", "甲区政府", "市市场监督管理局", "乙区政府", "市住建局"]  # short names and a full name


def sheet(rows: list[list[object]], columns: tuple[str, ...] = intake.COLUMNS) -> io.BytesIO:
    return io.BytesIO(intake.workbook("表", columns, rows))


def forty_rows() -> list[list[object]]:
    return [[n, f"第{n}项交办工作:开展专项检查", LEADS[n % len(LEADS)], "市司法局" if n % 3 == 0 else "",
             "", date(2023, 6, 1 + n % 28), "会议议定:市政府第12次常务会议" if n % 2 else "上级交办", ""]
            for n in range(1, 41)]


def ad_hoc_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(WorkItem).where(WorkItem.task_id.is_(None)))


def unit_sheet(rows: list[list[object]]) -> io.BytesIO:
    return sheet(rows, unit_intake.UNIT_COLUMNS)


NEW_UNITS = [["jiaqu_nanyuan", "甲区南苑街道办事处", "南苑街道", "township_gov", "甲区政府", "ny@xx.example.gov.cn"],
             ["jiaqu_nanyuan_sq", "南苑社区", "南苑社区", "乡镇人民政府(街道办事处)", "南苑街道", ""]]


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEADER = intake.COLUMNS


def _cell(ref: str, value: object) -> str:
    if isinstance(value, int):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def _row(number: int, values: list[object]) -> str:
    cells = "".join(_cell(f"{get_column_letter(i)}{number}", v) for i, v in enumerate(values, start=1) if v != "")
    return f'<row r="{number}">{cells}</row>'


def crafted(sheet_xml: str | bytes) -> io.BytesIO:
    """A minimal XLSX: content types, relationships, a workbook with one sheet, and the given sheet XML."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '</Types>'),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}">'
            '<sheets><sheet name="表" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            '</Relationships>'),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    out.seek(0)
    return out


def sheet_xml(rows: str, *, dimension: str, prologue: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prologue}<worksheet xmlns="{MAIN}">'
            f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>')


def huge_dimension() -> io.BytesIO:
    """The issue's 1.8 KB file: the whole grid declared, a header and one cell at the last row."""
    return crafted(sheet_xml(_row(1, list(HEADER)) + _row(1_048_576, [1]), dimension="A1:XFD1048576"))


def changes() -> tuple[int, int, int]:
    """What a refused import must leave as it was: ad-hoc items, units, audit events."""
    count = sa.func.count()
    return (ad_hoc_count(), db.session.scalar(sa.select(count).select_from(Unit)),
            db.session.scalar(sa.select(count).select_from(Event)))
