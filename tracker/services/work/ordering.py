"""Positions within a column: pure arithmetic on gapped integers.

A move places a card halfway between its new neighbours, so it writes one row; only when two neighbours
touch (after about sixteen halvings at the same spot) is the column renumbered, once.
"""
from __future__ import annotations

from collections.abc import Sequence

GAP = 1 << 16


def position_between(prev: int | None, nxt: int | None) -> int | None:
    """A position strictly between two neighbours (None = column edge), or None when there is no room."""
    if prev is None and nxt is None:
        return 0
    if prev is None:
        assert nxt is not None
        return nxt - GAP
    if nxt is None:
        return prev + GAP
    if nxt - prev < 2:
        return None
    return prev + (nxt - prev) // 2


def renumbered(ids_in_order: Sequence[int]) -> dict[int, int]:
    """Evenly spaced positions for a whole column, keeping its order."""
    return {item_id: (index + 1) * GAP for index, item_id in enumerate(ids_in_order)}
