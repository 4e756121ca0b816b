"""Ordering within a column: a move writes one row, positions stay unique and in the intended order."""
from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from tracker.errors import Invalid, NotFound
from tracker.extensions import db
from tracker.models import ItemStatus, Role, WorkItem
from tracker.services.work import workflow
from tracker.services.work.ordering import GAP, position_between, renumbered

A, P = ItemStatus.ASSIGNED, ItemStatus.IN_PROGRESS


def column(plan_id: int, status: ItemStatus) -> list[int]:
    return list(db.session.scalars(sa.select(WorkItem.id).where(WorkItem.plan_id == plan_id, WorkItem.status == status)
                                   .order_by(WorkItem.position, WorkItem.id)))


def assert_positions_unique(plan_id: int) -> None:
    clashes = db.session.execute(sa.select(WorkItem.status, WorkItem.position).where(WorkItem.plan_id == plan_id)
                                 .group_by(WorkItem.status, WorkItem.position).having(sa.func.count() > 1)).all()
    assert clashes == []


def test_position_between_halves_the_gap_and_says_when_there_is_no_room():
    assert position_between(None, None) == 0
    assert position_between(None, 100) == 100 - GAP
    assert position_between(100, None) == 100 + GAP
    assert position_between(0, 10) == 5
    assert position_between(4, 5) is None
    assert renumbered([7, 3, 9]) == {7: GAP, 3: 2 * GAP, 9: 3 * GAP}


def test_many_moves_keep_positions_unique_and_in_the_intended_order(plan, make_item, make_user, now):
    rng = random.Random(2023)
    mover = make_user(Role.UNIT_ADMIN, "sfj")
    cards = [make_item("sfj", title=f"卡片{i}") for i in range(12)]
    model = {A: column(plan.id, A), P: column(plan.id, P)}
    for _step in range(120):
        card = rng.choice(cards)
        target = P if card.status == A and rng.random() < 0.4 else card.status
        anchors = [c.id for c in cards if c.status == target and c.id != card.id]
        mode = rng.choice(["before", "after", "top"]) if anchors else "top"
        anchor = rng.choice(anchors) if mode != "top" else None
        workflow.move(card, actor=mover, to=target, expected_version=card.version, now=now,
                      before_id=anchor if mode == "before" else None, after_id=anchor if mode == "after" else None)
        for ids in model.values():
            if card.id in ids:
                ids.remove(card.id)
        where = 0 if anchor is None else model[target].index(anchor) + (mode == "after")
        model[target].insert(where, card.id)
        assert column(plan.id, target) == model[target]
    assert column(plan.id, A) == model[A] and column(plan.id, P) == model[P]
    assert_positions_unique(plan.id)


def test_a_move_writes_one_row_however_long_the_column(plan, make_item, make_user, now, count_queries):
    mover = make_user(Role.UNIT_ADMIN, "sfj")
    first, second = make_item("sfj"), make_item("sfj")
    with count_queries() as statements:
        workflow.move(second, actor=mover, to=A, expected_version=second.version, now=now, before_id=first.id)
    updates = [s for s in statements if s.lstrip().upper().startswith("UPDATE WORK_ITEMS")]
    assert len(updates) == 1
    assert len(column(plan.id, A)) > 1000


def test_a_crowded_spot_is_renumbered_once_and_keeps_the_order(plan, make_item, make_user, now):
    """Twenty cards squeezed between the same two neighbours exhaust the gap; the column is spread again."""
    mover = make_user(Role.UNIT_ADMIN, "sfj")
    left, right = make_item("sfj"), make_item("sfj")
    workflow.move(right, actor=mover, to=A, expected_version=right.version, now=now, after_id=left.id)
    squeezed = []
    for i in range(20):
        card = make_item("sfj", title=f"挤入{i}")
        workflow.move(card, actor=mover, to=A, expected_version=card.version, now=now, before_id=right.id)
        squeezed.append(card.id)
    ids = column(plan.id, A)
    start = ids.index(left.id)
    assert ids[start:start + 22] == [left.id, *squeezed, right.id]
    assert_positions_unique(plan.id)


def test_a_card_cannot_be_placed_next_to_a_card_in_another_column(make_item, make_user, now):
    mover = make_user(Role.UNIT_ADMIN, "sfj")
    card, elsewhere = make_item("sfj"), make_item("sfj", status=P)
    with pytest.raises(Invalid) as refused:
        workflow.move(card, actor=mover, to=A, expected_version=card.version, now=now, before_id=elsewhere.id)
    assert refused.value.code == "anchor_not_in_column"


def test_a_unit_cannot_place_a_card_next_to_another_units_card(make_item, make_user, now):
    mover = make_user(Role.UNIT_ADMIN, "sfj")
    card, foreign = make_item("sfj"), make_item("jiaqu")
    with pytest.raises(NotFound):
        workflow.move(card, actor=mover, to=A, expected_version=card.version, now=now, after_id=foreign.id)
