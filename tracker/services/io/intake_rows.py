"""What both spreadsheet intakes share (任务分解表 in intake.py, 单位名单 in unit_intake.py): reading a sheet's rows
under its header, the outcome of each row, the report, and the all-or-nothing refusal.

Kept below both so neither intake imports the other.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.styles import Font

from ...errors import Invalid
from . import sheets

SEPARATORS = re.compile(r"[、,,;;\s]+")
MAX_ROWS = 5_000


@dataclass
class RowOutcome:
    """What one row does (or would do): created, updated, unchanged or refused, with the reasons."""

    row: int
    number: str
    title: str
    action: str
    reasons: list[str] = field(default_factory=list)
    item_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "number": self.number, "title": self.title, "action": self.action,
                "reasons": self.reasons, "item_id": self.item_id}


@dataclass
class IntakeReport:
    committed: bool
    rows: list[RowOutcome]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    def as_dict(self) -> dict[str, Any]:
        return {"committed": self.committed, "rows": [row.as_dict() for row in self.rows],
                "counts": {action: self.count(action) for action in ("created", "updated", "unchanged", "refused")}}


def workbook(title: str, columns: tuple[str, ...], rows: list[list[Any]]) -> bytes:
    """A sheet with a bold header row and the given rows, as XLSX bytes (templates and tests)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its one sheet
    sheet.title = title
    sheet.append(list(columns))
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


Rows = list[tuple[int, dict[str, Any]]]


def read_rows(stream: IO[bytes], *, columns: tuple[str, ...], required: tuple[str, ...]) -> Rows:
    """The sheet's rows as {header: value}, with their row numbers; a file that is not such a sheet is refused.
    Reads the file only (no database), so a door calls it before its transaction begins
    (`database.outside_transaction`); the caps on the sheet itself are in `sheets`."""
    sheet = sheets.read_rows(stream)
    first = sheet[0][1] if sheet and sheet[0][0] == 1 else ()
    header = [str(cell).strip() if cell is not None else "" for cell in first]
    missing = [name for name in required if name not in header]
    if missing:
        raise Invalid(f"表头缺少:{'、'.join(missing)}(应为 {'、'.join(columns)})", "The header row lacks columns",
                      code="bad_header", fields={"file": [f"缺少列 {name}" for name in missing]})
    found = []
    for number, values in sheet[1:] if first else sheet:
        record = {name: value for name, value in zip(header, values, strict=False) if name}
        if any(value not in (None, "") for value in record.values()):
            found.append((number, record))
        if len(found) > MAX_ROWS:
            raise Invalid(f"一次最多导入 {MAX_ROWS} 行", f"At most {MAX_ROWS} rows", fields={"file": ["行数过多"]})
    return found


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()



def _refuse_if_any(outcomes: list[RowOutcome]) -> None:
    """A commit writes the whole file or nothing: one refused row refuses it, naming every such row."""
    refused = [row for row in outcomes if row.action == "refused"]
    if refused:
        rows = "、".join(str(row.row) for row in refused)
        raise Invalid(f"第 {rows} 行有问题,未写入任何数据", f"Rows {rows} have problems; nothing was written",
                      code="intake_refused", fields={f"row {row.row}": row.reasons for row in refused})
