"""records by item and level: the open level of a card or an overdue row is read from the index in level order,
not sorted for each row; the item's own index gives way to it (the new one leads with the item)

Revision ID: d6e7f8a9b0c1
Revises: c5d6e7f8a9b0
Create Date: 2026-12-06 03:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd6e7f8a9b0c1'
down_revision = 'c5d6e7f8a9b0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_accountability_records_item_level', 'accountability_records', ['item_id', 'level'],
                    unique=False)
    op.drop_index('ix_accountability_records_item_id', table_name='accountability_records')


def downgrade():
    op.create_index('ix_accountability_records_item_id', 'accountability_records', ['item_id'], unique=False)
    op.drop_index('ix_accountability_records_item_level', table_name='accountability_records')
