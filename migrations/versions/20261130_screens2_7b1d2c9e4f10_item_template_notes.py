"""screens2: a plan template's design note (why a date or carrier was chosen where the plan is silent), kept
apart from the description units read; see issue 15

Plain ADD/DROP COLUMN rather than a batch rebuild: SQLite (3.35+) does both in place, and rebuilding
item_templates would break the foreign keys of the work items that point at it.

Revision ID: 7b1d2c9e4f10
Revises: 110938f8b840
Create Date: 2026-11-30 01:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7b1d2c9e4f10'
down_revision = '0a6e8c7b25aa'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('item_templates', sa.Column('note', sa.Text(), nullable=False, server_default=''))


def downgrade():
    op.drop_column('item_templates', 'note')
