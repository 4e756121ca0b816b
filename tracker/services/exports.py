"""Cells for spreadsheets that stay text: every export (the ledger's XLSX and CSV, the audit CSV) writes through
here, so a unit's answer or a failed login name can never become a formula in the office's Excel.

XLSX: a text cell is stored as a string (openpyxl would otherwise store "=..." as a formula), without the
characters XML 1.0 cannot carry (a vertical tab in an answer would otherwise make the export fail for good).
CSV: Excel runs a cell that starts with = + - @ (or a tab or carriage return before one) as a formula, so such
a cell gets a leading apostrophe, which Excel shows as plain text (OWASP's advice for CSV injection). The CSV
starts with a UTF-8 byte order mark: without it Excel on a Chinese Windows desktop reads GBK and shows mojibake.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Font

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Not allowed in XML 1.0: C0 controls but tab and line breaks, lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
BOM = "\ufeff"


def csv_cell(value: Any) -> Any:
    """A text that Excel would run as a formula, made plain text; other values as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xml_text(value: str) -> str:
    return _NOT_XML.sub("", value)


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
    write_csv(out, header, rows)
    return out.getvalue().encode("utf-8")


def to_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str) -> bytes:
    """One sheet: a bold, frozen header, then the rows; every text cell a string cell."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = xml_text(title)[:31]
    for number, line in enumerate([header, *rows], start=1):
        for column, value in enumerate(line, start=1):
            _put(sheet.cell(row=number, column=column), value)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _put(cell: Any, value: Any) -> None:
    if isinstance(value, str):
        cell.value = xml_text(value)
        cell.data_type = "s"  # openpyxl guesses a formula from a leading "="; a person's text is text
    else:
        cell.value = value
