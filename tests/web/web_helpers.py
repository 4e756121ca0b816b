"""Helpers shared by the web pages' tests."""
from __future__ import annotations

import re


def card_ids(html: str) -> set[int]:
    return {int(x) for x in re.findall(r'data-id="(\d+)"', html)}
