"""evidence: whether submitting an item for review needs evidence, per plan (its items, ad-hoc items) and template

Plain ADD and DROP COLUMN rather than batch mode: on SQLite a batch rebuilds the table, and `plans` cannot be
dropped and rebuilt while work items refer to it.

Revision ID: e5d1a0c7b9f2
Revises: d5e6f7a8b9c0
Create Date: 2026-12-05 14:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'e5d1a0c7b9f2'
down_revision = 'd5e6f7a8b9c0'
branch_labels = None
depends_on = None


def _add_rule(table, column, default=None):
    """The column with its named CHECK in one ADD COLUMN, which SQLite and PostgreSQL both take (Alembic would add
    the CHECK separately, which SQLite cannot)."""
    default_sql = f"DEFAULT '{default}' NOT NULL" if default else "NULL"
    op.execute(f"ALTER TABLE {table} ADD COLUMN {column} VARCHAR(16) {default_sql} "
               f"CONSTRAINT ck_{table}_{column} CHECK ({column} IN ('required', 'asked'))")


def upgrade():
    _add_rule('plans', 'evidence_rule', 'required')
    _add_rule('plans', 'ad_hoc_evidence_rule', 'asked')
    _add_rule('item_templates', 'evidence_rule')


def downgrade():
    op.drop_column('item_templates', 'evidence_rule')
    op.drop_column('plans', 'ad_hoc_evidence_rule')
    op.drop_column('plans', 'evidence_rule')
