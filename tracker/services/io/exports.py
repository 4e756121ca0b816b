"""Cells for spreadsheets that stay text: every export (the ledger's XLSX and CSV, the audit CSV) writes through
here, so a unit's answer or a failed login name can never become a formula in the office's Excel.

XLSX: a text cell is stored as a string (openpyxl would otherwise store "=..." as a formula), without the
characters XML 1.0 cannot carry (a vertical tab in an answer would otherwise make the export fail for good): the
one cleaning function, printable.clean.
CSV: Excel runs a cell that starts with = + - @ (or a tab or carriage return before one) as a formula, so such
a cell gets a leading apostrophe, which Excel shows as plain text (OWASP's advice for CSV injection). The CSV
starts with a UTF-8 byte order mark: without it Excel on a Chinese Windows desktop reads GBK and shows mojibake.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any
from unicodedata import east_asian_width
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .printable import clean

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
MAX_WIDTH = 50


def csv_cell(value: Any) -> Any:
    """A text that Excel would run as a formula, made plain text; other values as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(stream: IO[str], header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write the BOM, the header and the rows with every text cell made safe; returns the number of rows."""
    stream.write(BOM)
    writer = csv.writer(stream)
    writer.writerow([csv_cell(h) for h in header])
    count = 0
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
        count += 1
    return count


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    write_csv(out, header, (_csv_row(row) for row in rows))
    return out.getvalue().encode("utf-8")


def _csv_row(row: Sequence[Any]) -> list[Any]:
    """Dates as 2024-06-30 and times as 2024-06-30 09:00 (what a person types), not Python's repr."""
    return [value.strftime("%Y-%m-%d %H:%M") if isinstance(value, datetime)
            else value.isoformat() if isinstance(value, date) else value for value in row]


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str, caption: str = "") -> bytes:
    """One sheet that prints: a title row naming the filter (merged across the columns), a bold header, both
    frozen and repeated on every printed page, an autofilter, column widths fitted to the text (a Chinese
    character is two widths), dates as date cells, landscape and fitted to the page's width. Every text cell is
    a string cell."""
    return to_workbook([Sheet(title=title, caption=caption, header=header, rows=rows)])


@dataclass(frozen=True)
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    caption: str = ""


def to_workbook(sheets: Sequence[Sheet]) -> bytes:
    """Several sheets in one file, each laid out as to_xlsx lays out its one (sheet names must be unique)."""
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])  # the empty sheet a new workbook starts with
    for sheet in sheets:
        _fill(workbook.create_sheet(clean(sheet.title)[:31]), sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _fill(sheet: Any, content: Sheet) -> None:
    header = content.header
    widths = [_width(h) for h in header]
    sheet.append([clean(content.caption or content.title)])
    for number, line in enumerate([header, *content.rows], start=2):
        for column, value in enumerate(line, start=1):
            _put(sheet.cell(row=number, column=column), value)
            if column <= len(widths):
                widths[column - 1] = max(widths[column - 1], _width(value))
    last = get_column_letter(max(len(header), 1))
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].font = Font(bold=True, size=14)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 6), MAX_WIDTH)
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            if isinstance(cell.value, str) and _width(cell.value) > MAX_WIDTH:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A3"
    sheet.auto_filter.ref = f"A2:{last}{max(sheet.max_row, 2)}"
    sheet.print_title_rows = "1:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _width(value: Any) -> int:
    """How many Latin letters wide a value shows: CJK and full-width characters count two."""
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    text = "" if value is None else str(value)
    return sum(2 if east_asian_width(c) in "WF" else 1 for c in text)


def _put(cell: Any, value: Any) -> None:
    if isinstance(value, str):
        cell.value = clean(value)
        cell.data_type = "s"  # openpyxl guesses a formula from a leading "="; a person's text is text
    elif isinstance(value, datetime):
        cell.value = value.replace(tzinfo=None)  # Excel has no time zones: the caller gives local time
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.value = value
        cell.number_format = "yyyy-mm-dd"
    else:
        cell.value = value


def content_disposition(filename: str, fallback: str | None = None, *, inline: bool = False) -> str:
    """An attachment header (or `inline`: opened in the browser, kept under this name when saved) with the
    Chinese name (RFC 5987 `filename*`) and an ASCII name for old clients: the `fallback` given, else the name's
    ASCII letters and digits."""
    stem, _dot, kind = filename.rpartition(".")
    fallback = fallback or ("".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in stem)
                            or "export") + f".{kind}"
    how = "inline" if inline else "attachment"
    return f"{how}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
