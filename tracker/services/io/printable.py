"""The one cleaning function for text that goes into a document the tracker writes (DOCX, XLSX, PDF).

The text rules (tracker/schemas/common.py) keep control characters and Unicode non-characters out of what
people write now; text stored before a rule existed, or by a path outside the schemas, may still hold them. XML
1.0, which DOCX and XLSX are made of, cannot carry C0 controls (but tab and line breaks), lone surrogates, U+FFFE
or U+FFFF: lxml refuses to write them, so one such character in an issued 通报 made its Word file a 500 for good.
The other non-characters (U+FDD0-U+FDEF, U+nFFFE and U+nFFFF in every plane) are not meant for interchange and
are dropped with them, so every writer shows the same text.
"""
from __future__ import annotations

import re
from typing import TypeVar

T = TypeVar("T")

_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef"
                          + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17))
                          + "]")


def clean(text: str) -> str:
    """The text without the characters a document cannot or should not carry."""
    return _UNPRINTABLE.sub("", text)


def cleaned(value: T) -> T:
    """Every string in a document's content (nested dicts, lists and tuples) cleaned; other values as they are."""
    if isinstance(value, str):
        return clean(value)  # type: ignore[return-value]  # T narrowed to str is still T to mypy
    if isinstance(value, dict):
        return {key: cleaned(item) for key, item in value.items()}  # type: ignore[return-value]  # as above, for dict
    if isinstance(value, list | tuple):
        return type(value)(cleaned(item) for item in value)
    return value
