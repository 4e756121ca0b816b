"""assess: a year's assessment frozen by the office (定稿), stored whole and never recomputed; see issue 13

Revision ID: a55e55a2024f
Revises: 7b1d2c9e4f10
Create Date: 2026-11-30 01:25:03.900172

"""
from alembic import op
import sqlalchemy as sa

import tracker.models.types


# revision identifiers, used by Alembic.
revision = 'a55e55a2024f'
down_revision = 'b7e1a2c3d4f5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('rubric_version', sa.String(length=32), nullable=False),
    sa.Column('rubric_hash', sa.String(length=64), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('frozen_by_id', sa.Integer(), nullable=False),
    sa.Column('frozen_at', tracker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['frozen_by_id'], ['users.id'], name=op.f('fk_assessments_frozen_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_assessments_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments')),
    sa.UniqueConstraint('plan_id', 'year', name=op.f('uq_assessments_plan_id_year'))
    )


def downgrade():
    op.drop_table('assessments')
