"""bulletin: the month's and the quarter's 通报 as documents (drafts, issued with a number and a frozen
snapshot); see issue 13

Revision ID: b7e1a2c3d4f5
Revises: 7b1d2c9e4f10
Create Date: 2026-11-30 01:25:58.899502

"""
from alembic import op
import sqlalchemy as sa

import tracker.models.types


# revision identifiers, used by Alembic.
revision = 'b7e1a2c3d4f5'
down_revision = '7b1d2c9e4f10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('bulletins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('month', 'quarter', name='kind', native_enum=False, create_constraint=True, length=15), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('status', sa.Enum('draft', 'issued', name='status', native_enum=False, create_constraint=True, length=14), nullable=False),
    sa.Column('lead_text', sa.Text(), nullable=False),
    sa.Column('closing_text', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.Column('number', sa.String(length=40), nullable=True),
    sa.Column('created_at', tracker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', tracker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('issued_at', tracker.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(status = 'issued') = (number IS NOT NULL AND issued_at IS NOT NULL)", name=op.f('ck_bulletins_issued_is_numbered')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_bulletins_version_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_bulletins_created_by_id_users')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_bulletins_issued_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_bulletins_plan_id_plans')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletins')),
    sa.UniqueConstraint('number', name=op.f('uq_bulletins_number')),
    sa.UniqueConstraint('plan_id', 'kind', 'period', name=op.f('uq_bulletins_plan_id_kind_period'))
    )


def downgrade():
    op.drop_table('bulletins')
