"""A test that commits must not leak into the next: the two tests below run in this order."""
import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Unit, UnitKind


def test_a_committed_unit_exists_within_its_own_test(app):
    db.session.add(Unit(key="leak-check", name="隔离检查单位", short_name="隔离", kind="city_dept"))
    db.session.commit()
    assert db.session.execute(sa.select(Unit).where(Unit.key == "leak-check")).scalar_one()


def test_the_committed_unit_is_gone_in_the_next_test(app):
    assert db.session.execute(sa.select(Unit).where(Unit.key == "leak-check")).first() is None
    assert db.session.get(UnitKind, "city_dept") is not None  # the session data loaded at start is still there
