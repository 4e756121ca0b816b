"""The migrations create exactly the models' schema, and go down and up again."""
from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tracker.extensions import db


def schema_differences() -> list[object]:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_migrations_on_an_empty_database_match_the_models(empty_app):
    with empty_app.app_context():
        upgrade()
        assert schema_differences() == []
        downgrade(revision="base")
        with db.engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
        assert tables == set()
        upgrade()
        assert schema_differences() == []


def test_the_ledger_migration_settles_records_of_finished_items_and_numbers_notices(committed_app):
    """A database from before the ledger's lifecycle: an approved item still carrying an open record, and a 督办
    of an open item. After the upgrade the first is settled and the second has its document number."""
    with committed_app.app_context():
        downgrade(revision="c5e48990c64c")
        with db.engine.begin() as connection:
            done_id, open_id = connection.execute(sa.text("SELECT id FROM work_items ORDER BY id LIMIT 2")).scalars()
            unit_id = connection.execute(sa.text("SELECT unit_id FROM work_items WHERE id = :id"),
                                         {"id": done_id}).scalar_one()
            connection.execute(sa.text("UPDATE work_items SET status = 'done', completed_at = :at WHERE id = :id"),
                               {"id": done_id, "at": "2024-05-23 02:00:00"})
            for item_id, level, name in ((done_id, 1, "提醒"), (open_id, 3, "督办")):
                connection.execute(sa.text(
                    "INSERT INTO accountability_records (item_id, unit_id, kind, level, level_name, due_date, reason, "
                    "issued_at, status) VALUES (:item, :unit, 'ladder', :level, :name, '2024-01-01', '逾期', "
                    "'2024-03-01 00:00:00', 'open')"), {"item": item_id, "unit": unit_id, "level": level, "name": name})
        upgrade()
        with db.engine.connect() as connection:
            found = dict(connection.execute(sa.text(
                "SELECT level_name, status || ' ' || coalesce(doc_number, '-') FROM accountability_records")).all())
        db.session.remove()
    assert found == {"提醒": "settled -", "督办": "open 督办〔2024〕1号"}
