"""A whole board written out as it is read: JSON in chunks from rows fetched a batch at a time.

A board of 100,000 cards is about 40 MB of JSON; built whole it is that and its 100,000 card dicts held at once by
the worker (which CPython keeps once grown). Here rows come from the database `BATCH` at a time (yield_per, a
server-side cursor on PostgreSQL), each card already JSON written by the database (cards.py), a batch joined and
handed on, and only the counts stay: the worker's memory stays flat whatever the board's size. The answer is the
same JSON as boards.board's (the same cards by the same CardMaker, the same lanes and columns in the same order);
only the order of keys differs (a column's `count` after its cards, the whole board's `columns` after its lanes),
which JSON ignores.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import orjson

from ...models import User
from .boards import COLUMN_INDEX, COLUMN_ORDER, ItemFilters, board_statement, default_plan_id
from .cards import ROW_WIDTH, STATUS_AT, CardMaker, read
from .deadlines import Deadlines
from .workflow import STATUS_LABELS

BATCH = 1000
_NONE = object()  # no lane yet
_OPEN = [orjson.dumps({"status": s.value, "label": STATUS_LABELS[s][0], "label_en": STATUS_LABELS[s][1]})[:-1]
         + b',"cards":[' for s in COLUMN_ORDER]  # a column up to its cards


def board_chunks(filters: ItemFilters, *, actor: User, deadlines: Deadlines, swimlanes: str | None,
                 sort: str = "position", fields: tuple[str, ...] = ()) -> Iterator[bytes]:
    """The whole board (no limit) as JSON, in chunks of about BATCH cards."""
    if filters.plan_id is None:
        filters = dataclasses.replace(filters, plan_id=default_plan_id())
    _query, stmt = board_statement(filters, actor=actor, deadlines=deadlines, swimlanes=swimlanes, sort=sort,
                                   fields=fields, workflow_order=True)
    card = CardMaker(actor, fields, as_json=True)
    lane_at = ROW_WIDTH
    totals = [0] * len(COLUMN_ORDER)
    out: list[bytes] = [orjson.dumps({"plan_id": filters.plan_id, "swimlanes": swimlanes, "limit": None,
                                      "today": deadlines.today.isoformat()})[:-1] + b',"lanes":[']
    lane: Any = _NONE
    cards: list[bytes] = []  # the column being written: its cards not yet handed on, its count
    column, count = -1, 0

    def flush_cards() -> None:
        if cards:
            out.append((b"," if count > len(cards) else b"") + b",".join(cards))
            cards.clear()

    def close_column() -> None:
        flush_cards()
        out.append(b'],"count":%d}' % count)
        totals[column] += count

    def open_column(index: int) -> None:
        out.append((b"," if index else b"") + _OPEN[index])

    def finish_lane() -> None:
        nonlocal column, count
        while column < len(COLUMN_ORDER) - 1:  # the lane's remaining columns, empty
            if column >= 0:
                close_column()
            column, count = column + 1, 0
            open_column(column)
        close_column()
        out.append(b"]}")

    result = read(stmt.execution_options(yield_per=BATCH))
    status: Any = _NONE  # the column being written's status, as the rows name it
    try:  # a client gone mid-answer closes the generator: the cursor (server-side on PostgreSQL) with it
        for batch in result.partitions():
            for row in batch:
                if row[lane_at] != lane or lane is _NONE:
                    if lane is not _NONE:
                        finish_lane()
                    head = {"key": row[lane_at] if swimlanes else None,
                            "title": row[lane_at + 1] if swimlanes else None}
                    out.append((b"," if lane is not _NONE else b"") + orjson.dumps(head)[:-1] + b',"columns":[')
                    lane, column, count, status = row[lane_at], -1, 0, _NONE
                if row[STATUS_AT] != status:
                    status, index = row[STATUS_AT], COLUMN_INDEX[row[STATUS_AT]]
                    while column < index:
                        if column >= 0:
                            close_column()
                        column, count = column + 1, 0
                        open_column(column)
                cards.append(card(row))
                count += 1
            flush_cards()
            yield b"".join(out)
            out.clear()
    finally:
        result.close()
    if lane is not _NONE:
        finish_lane()
    elif not swimlanes:  # an empty board still has its one lane of empty columns
        out.append(b'{"key":null,"title":null,"columns":[')
        finish_lane()
    out.append(b'],"columns":' + orjson.dumps([
        {"status": s.value, "label": STATUS_LABELS[s][0], "label_en": STATUS_LABELS[s][1], "count": totals[i]}
        for i, s in enumerate(COLUMN_ORDER)]) + b"}")
    yield b"".join(out)
