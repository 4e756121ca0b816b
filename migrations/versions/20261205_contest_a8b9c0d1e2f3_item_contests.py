"""contests (退办 / 异议): a unit's contest of an item it was given, and each plan's window for it in working days

Revision ID: a8b9c0d1e2f3
Revises: a3c5e7f9b1d2
Create Date: 2026-12-05 19:00:00

"""
from alembic import op
import sqlalchemy as sa
import tracker.models.types


# revision identifiers, used by Alembic.
revision = 'a8b9c0d1e2f3'
down_revision = 'a3c5e7f9b1d2'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('plans', sa.Column('contest_days', sa.Integer(), server_default='7', nullable=False))
    op.create_table(
        'item_contests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('proposed_unit_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('raised_by_id', sa.Integer(), nullable=False),
        sa.Column('raised_at', tracker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('status', sa.Enum('pending', 'upheld', 'rejected', name='contest_status', native_enum=False,
                                    create_constraint=True, length=16), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', tracker.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=True),
        sa.Column('new_unit_id', sa.Integer(), nullable=True),
        sa.Column('new_due_date', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['item_id'], ['work_items.id'], name=op.f('fk_item_contests_item_id_work_items')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_item_contests_unit_id_units')),
        sa.ForeignKeyConstraint(['proposed_unit_id'], ['units.id'],
                                name=op.f('fk_item_contests_proposed_unit_id_units')),
        sa.ForeignKeyConstraint(['raised_by_id'], ['users.id'], name=op.f('fk_item_contests_raised_by_id_users')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_item_contests_decided_by_id_users')),
        sa.ForeignKeyConstraint(['new_unit_id'], ['units.id'], name=op.f('fk_item_contests_new_unit_id_units')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_item_contests')),
    )
    op.create_index(op.f('ix_item_contests_item_id'), 'item_contests', ['item_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_item_contests_item_id'), table_name='item_contests')
    op.drop_table('item_contests')
    op.drop_column('plans', 'contest_days')  # plain DROP COLUMN: a batch would rebuild `plans`, which items refer to
