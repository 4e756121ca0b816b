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
        downgrade(revision="2795ada82b99")  # the work shapes, just before the ledger
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


def test_an_existing_database_upgrades_its_items_to_lead_unit_items(empty_app):
    """Data written before the work-shapes migration: each item keeps its unit as the lead unit, has no
    cooperating units, stays a plan item, and the schema then matches the models."""
    with empty_app.app_context():
        upgrade(revision="c5e48990c64c")
        with db.engine.begin() as connection:
            run = connection.exec_driver_sql
            run("INSERT INTO unit_kinds (key, name) VALUES ('city_dept', '市政府部门')")
            run("INSERT INTO units (id, key, name, short_name, kind, tags, emails, is_sample) "
                "VALUES (1, 'sfj', '市司法局', '市司法局', 'city_dept', '[]', '[]', false)")
            run("INSERT INTO plans (id, key, title, short_title, timezone, start_date, end_date, office_unit_id, "
                "loaded_at) VALUES (1, 'p', '计划', '计划', 'Asia/Shanghai', '2023-01-01', '2025-12-31', 1, "
                "'2023-01-01 00:00:00')")
            run("INSERT INTO phases (id, plan_id, key, seq, name, start_date, end_date, source) "
                "VALUES (1, 1, 'all', 1, '全程', '2023-01-01', '2025-12-31', 'text')")
            run("INSERT INTO task_groups (id, plan_id, key, seq, title) VALUES (1, 1, 'g1', 1, '方面')")
            run("INSERT INTO tasks (id, plan_id, group_id, number, title, text) VALUES (1, 1, 1, 1, '任务', '')")
            run("INSERT INTO work_items (id, plan_id, task_id, phase_id, unit_id, title, description, status, "
                "position, due_date, original_due_date, priority, recurrence_key, created_at, updated_at, "
                "returned_count, version) VALUES (1, 1, 1, 1, 1, '旧工作项', '', 'in_progress', 65536, "
                "'2023-12-31', '2023-12-31', 'normal', '', '2023-01-01 00:00:00', '2023-01-01 00:00:00', 0, 3)")
        upgrade()
        with db.engine.connect() as connection:
            item = connection.exec_driver_sql(
                "SELECT unit_id, task_id, source, parent_id, cancelled_at, version FROM work_items").one()
            parts = connection.exec_driver_sql("SELECT count(*) FROM item_units").scalar()
        assert tuple(item) == (1, 1, None, None, None, 3) and parts == 0
        assert schema_differences() == []
