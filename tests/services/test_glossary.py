"""The office's and the government's names (glossary.authorities) head every role word and notice: read once per
transaction, never stale once the plan's units are written, and read again in the next transaction."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Plan, Role, Unit
from tracker.services.plan import glossary


def _office_unit(plan: Plan) -> Unit:
    found = db.session.get(Unit, plan.office_unit_id)
    assert found is not None
    return found


def test_a_page_of_role_words_reads_the_office_name_once(plan: Plan, count_queries: Callable[[], Any]) -> None:
    db.session.commit()  # a fresh transaction: nothing read yet
    with count_queries() as first:
        names = glossary.authorities()
    with count_queries() as again:
        for _row in range(50):
            assert glossary.authorities() == names
            assert glossary.role_label(Role.OFFICE_ADMIN) == names.office
    assert len(first) >= 1 and again == []
    assert names.office == _office_unit(plan).short_name


def test_renaming_the_office_or_moving_it_in_the_unit_tree_is_read_at_once(plan: Plan) -> None:
    office = _office_unit(plan)
    before = glossary.authorities()
    office.short_name = "市督查室"
    db.session.flush()
    assert glossary.authorities().office == "市督查室"
    highest = db.session.get(Unit, office.id)
    while highest is not None and highest.parent_id is not None:
        highest = db.session.get(Unit, highest.parent_id)
    assert highest is not None
    top = Unit(key="province", name="某省人民政府", short_name="省政府", kind=highest.kind)
    db.session.add(top)
    db.session.flush()
    assert glossary.authorities().government == before.government
    highest.parent_id = top.id
    db.session.flush()
    assert glossary.authorities().government == "省政府"


def test_the_next_transaction_reads_them_again(plan: Plan, count_queries: Callable[[], Any]) -> None:
    glossary.authorities()
    db.session.execute(sa.update(Unit).where(Unit.id == plan.office_unit_id).values(short_name="另一进程改的名"))
    db.session.commit()  # another process could have reloaded the plan: the next transaction asks again
    with count_queries() as statements:
        assert glossary.authorities().office == "另一进程改的名"
    assert statements
