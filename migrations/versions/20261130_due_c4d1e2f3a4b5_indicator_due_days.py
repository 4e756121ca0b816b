"""due: the days units have after a period to report an indicator's figure (待报送 until then, 未报送 after)

Revision ID: c4d1e2f3a4b5
Revises: a55e55a2024f
Create Date: 2026-11-30 05:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d1e2f3a4b5'
down_revision = 'a55e55a2024f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_days', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_check_constraint(op.f('ck_indicators_due_days_not_negative'), 'due_days >= 0')


def downgrade():
    with op.batch_alter_table('indicators', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_indicators_due_days_not_negative'), type_='check')
        batch_op.drop_column('due_days')
