"""live events: one row per item changed by a committed transaction, read by the pages' live stream

Revision ID: a3c5e7f9b1d2
Revises: a9c3e1f0b2d4
Create Date: 2026-12-05 20:00:00

"""
from alembic import op
import sqlalchemy as sa
import tracker.models.types


# revision identifiers, used by Alembic.
revision = 'a3c5e7f9b1d2'
down_revision = 'a9c3e1f0b2d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'live_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', tracker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('version', sa.Integer(), nullable=True),
        sa.Column('unit_ids', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_live_events')),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f('ix_live_events_at'), 'live_events', ['at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_live_events_at'), table_name='live_events')
    op.drop_table('live_events')
