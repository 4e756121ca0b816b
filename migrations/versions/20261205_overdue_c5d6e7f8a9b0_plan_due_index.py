"""the overdue list's index: a plan's items by due date, so the list is read in its order (no sort of every row)

Revision ID: c5d6e7f8a9b0
Revises: a8b9c0d1e2f3
Create Date: 2026-12-05 22:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c5d6e7f8a9b0'
down_revision = 'a8b9c0d1e2f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_work_items_plan_due', 'work_items', ['plan_id', 'due_date'], unique=False)


def downgrade():
    op.drop_index('ix_work_items_plan_due', table_name='work_items')
