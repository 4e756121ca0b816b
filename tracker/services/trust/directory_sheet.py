"""The people sheet (人员名单) the directory sync reads where the tracker cannot reach LDAP: the unit intake's shape
(a header row, one row per person, the same caps: services/io/intake_rows.py) with the columns 登录名, 姓名, 单位,
邮箱, 工号. 单位 names the unit by key, full or short name, or 统一社会信用代码. The sheet's people are linked by
their login name under the source "sheet", so a sheet sync disables only the accounts a sheet sync linked.

Reads the file only, before any transaction begins; the sync checks the rows against the database afterwards.
"""
from __future__ import annotations

from typing import IO, Any

from ..io.intake_rows import read_rows
from .directory_sync import Entry
from .sign_on import DirectoryPerson

SOURCE = "sheet"
COLUMNS = ("登录名", "姓名", "单位", "邮箱", "工号")
REQUIRED = ("登录名", "姓名", "单位")


def _text(value: Any) -> str | None:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a 工号 typed as a number
    text = "" if value is None else str(value).strip()
    return text or None


def read_people(stream: IO[bytes]) -> list[Entry]:
    """One entry per row that holds anything, named by its row number; a sheet that is not one is refused."""
    entries = []
    for number, record in read_rows(stream, columns=COLUMNS, required=REQUIRED):
        login = _text(record.get("登录名"))
        entries.append(Entry(where=f"第 {number} 行", person=DirectoryPerson(
            source=SOURCE, subject=login or f"row-{number}", display_name=_text(record.get("姓名")) or "",
            login=login, mail=_text(record.get("邮箱")), job_number=_text(record.get("工号")),
            unit_key=_text(record.get("单位")))))
    return entries

