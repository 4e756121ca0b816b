"""Reading an uploaded spreadsheet (XLSX) into plain rows, bounded whatever the file declares.

A sheet is read before the request's database transaction begins (`database.outside_transaction`), so however
long a file takes to read, no lock is held meanwhile; the rows come back as plain values and the services check
them afterwards.

The caps count what the file holds, not what it says it holds: a sheet's `<dimension>` is ignored
(`reset_dimensions()`), so a 1.8 KB file declaring A1:XFD1048576 is refused at the row cap within milliseconds
instead of being padded to a million rows, and a sheet declaring fewer rows than it has is read whole. Empty rows
count toward the row cap (they are what a padding attack is made of). The zip's parts are checked against a size
cap before any XML is read, and the XML parser is defusedxml's (installed with the tracker; openpyxl uses it when
present), so entity declarations are refused rather than expanded. A file that cannot be read is an Invalid that
names the problem, never a 500.
"""
from __future__ import annotations

import zipfile
from typing import IO, Any
from xml.etree.ElementTree import ParseError

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ...errors import Invalid

MAX_SHEET_ROWS = 10_000
MAX_COLUMNS = 26  # A to Z: the 任务分解表 has 8 columns, the unit list 6
MAX_CELL_CHARS = 10_000
MAX_PART_BYTES = 50 * 1024 * 1024
MAX_PARTS = 1_000

Row = tuple[Any, ...]

if not openpyxl.DEFUSEDXML:  # the dependency is declared; a setting that turned it off must not pass quietly
    raise ImportError("defusedxml is required to read uploaded spreadsheets safely")


def _refused(zh: str, en: str, code: str = "bad_sheet") -> Invalid:
    return Invalid(zh, en, code=code, fields={"file": [zh]})


def read_rows(stream: IO[bytes]) -> list[tuple[int, Row]]:
    """The first sheet's rows that hold anything, as (row number, values without trailing blanks); row 1 first
    if it holds anything. Refuses a file that is not a readable XLSX, or that passes a cap, naming which."""
    _check_archive(stream)
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Invalid:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        raise _unreadable(exc) from exc
    try:
        return _rows(book)
    except Invalid:
        raise
    except Exception as exc:
        raise _unreadable(exc) from exc
    finally:
        book.close()


def _check_archive(stream: IO[bytes]) -> None:
    """An XLSX is a zip; its parts' declared sizes bound what reading them can produce (zipfile stops at the
    declared size and then fails the CRC check), so a zip bomb is refused here, unread."""
    try:
        with zipfile.ZipFile(stream) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _refused("无法读取该文件:不是 XLSX 文件(XLSX 是 zip 压缩包,此文件不是)",
                       "Not an XLSX file (an XLSX is a zip archive; this file is not one)", code="not_xlsx") from exc
    if len(parts) > MAX_PARTS:
        raise _refused(f"文件包含的部件超过 {MAX_PARTS} 个,不像任务分解表", f"More than {MAX_PARTS} parts in the archive")
    for part in parts:
        if part.file_size > MAX_PART_BYTES:
            mb = MAX_PART_BYTES // (1024 * 1024)
            raise _refused(f"文件中的 {part.filename} 解压后超过 {mb} MB 的上限",
                           f"{part.filename} unpacks to more than the {mb} MB cap")
    stream.seek(0)


def _rows(book: Any) -> list[tuple[int, Row]]:
    if not book.worksheets:
        raise _refused("文件中没有工作表", "The file has no worksheet")
    sheet = book.worksheets[0]
    sheet.reset_dimensions()  # what the file declares is not what it holds
    found: list[tuple[int, Row]] = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > MAX_SHEET_ROWS:
            raise _refused(f"工作表超过 {MAX_SHEET_ROWS} 行(空行也计算在内),请删去多余的行后再上传",
                           f"The sheet has more than {MAX_SHEET_ROWS} rows (empty rows count too)", code="too_many_rows")
        row = _trimmed(values)
        if len(row) > MAX_COLUMNS:
            raise _refused(f"第 {number} 行超过 {MAX_COLUMNS} 列的上限(有内容的最后一列是 {get_column_letter(len(row))})",
                           f"Row {number} has more than {MAX_COLUMNS} columns", code="too_many_columns")
        for column, value in enumerate(row, start=1):
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                cell = f"{get_column_letter(column)}{number}"
                raise _refused(f"单元格 {cell} 超过 {MAX_CELL_CHARS} 字的上限",
                               f"Cell {cell} holds more than {MAX_CELL_CHARS} characters", code="cell_too_large")
        if row:
            found.append((number, row))
    return found


def _trimmed(values: Row) -> Row:
    end = len(values)
    while end and values[end - 1] in (None, ""):
        end -= 1
    return tuple(values[:end])


def _root(exc: Exception) -> Exception:
    seen: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and cause not in seen:
        if isinstance(cause, DefusedXmlException | ParseError | zipfile.BadZipFile):
            return cause
        seen.append(cause)
        cause = cause.__cause__ or cause.__context__
    return exc


def _unreadable(exc: Exception) -> Invalid:
    """Name what is wrong in words a person can pass on: an entity declaration, broken XML, a missing part.
    openpyxl wraps what the XML parser raised while it loads a workbook, so the cause is looked for first."""
    exc = _root(exc)
    if isinstance(exc, DefusedXmlException):
        return _refused("文件中含有 XML 实体声明(DTD/ENTITY),出于安全原因拒绝读取",
                        "The file declares XML entities (DTD/ENTITY); refused for safety", code="sheet_entities")
    if isinstance(exc, ParseError):
        return _refused(f"工作表的 XML 有误,无法读取:{exc}", f"The sheet's XML is malformed: {exc}",
                        code="sheet_xml")
    if isinstance(exc, zipfile.BadZipFile):
        return _refused(f"文件已损坏,无法读取:{exc}", f"The file is damaged: {exc}", code="not_xlsx")
    if isinstance(exc, KeyError):
        return _refused(f"文件缺少 XLSX 必需的部件:{exc}", f"The file lacks a part every XLSX has: {exc}",
                        code="not_xlsx")
    detail = f"{type(exc).__name__}: {exc}"[:200]
    return _refused(f"无法读取该文件,请上传 XLSX 格式的表格({detail})", f"Not a readable XLSX file ({detail})",
                    code="not_xlsx")
