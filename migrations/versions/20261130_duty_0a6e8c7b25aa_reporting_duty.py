"""reporting duty (issue 13): reporting rhythms per plan or task group, and missed periodic reports (未按时报送)

No rows are needed: a plan without a rhythm follows the default (monthly, by the 25th).

Revision ID: 0a6e8c7b25aa
Revises: 4eb757c80fff
Create Date: 2026-11-30 01:26:00.156254

"""
from alembic import op
import sqlalchemy as sa

import tracker.models.types


# revision identifiers, used by Alembic.
revision = '0a6e8c7b25aa'
down_revision = '110938f8b840'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reporting_rhythms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('frequency', sa.Enum('monthly', 'quarterly', 'none', name='frequency', native_enum=False, create_constraint=True, length=17), nullable=False),
    sa.Column('day', sa.Integer(), nullable=True),
    sa.Column('set_by_id', sa.Integer(), nullable=True),
    sa.Column('set_at', tracker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(frequency = 'none') = (day IS NULL)", name=op.f('ck_reporting_rhythms_day_with_frequency')),
    sa.CheckConstraint('day BETWEEN 1 AND 28', name=op.f('ck_reporting_rhythms_day_range')),
    sa.ForeignKeyConstraint(['group_id'], ['task_groups.id'], name=op.f('fk_reporting_rhythms_group_id_task_groups')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_reporting_rhythms_plan_id_plans')),
    sa.ForeignKeyConstraint(['set_by_id'], ['users.id'], name=op.f('fk_reporting_rhythms_set_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reporting_rhythms')),
    sa.UniqueConstraint('group_id', name=op.f('uq_reporting_rhythms_group_id'))
    )
    with op.batch_alter_table('reporting_rhythms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reporting_rhythms_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index('uq_reporting_rhythms_plan_own', ['plan_id'], unique=True, sqlite_where=sa.text('group_id IS NULL'), postgresql_where=sa.text('group_id IS NULL'))

    op.create_table('missed_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('flagged_at', tracker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['work_items.id'], name=op.f('fk_missed_reports_item_id_work_items')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_missed_reports_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_missed_reports')),
    sa.UniqueConstraint('item_id', 'period', name=op.f('uq_missed_reports_item_id_period'))
    )
    with op.batch_alter_table('missed_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_missed_reports_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_missed_reports_unit_id'), ['unit_id'], unique=False)



def downgrade():
    with op.batch_alter_table('missed_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_missed_reports_unit_id'))
        batch_op.drop_index(batch_op.f('ix_missed_reports_due_on'))

    op.drop_table('missed_reports')
    with op.batch_alter_table('reporting_rhythms', schema=None) as batch_op:
        batch_op.drop_index('uq_reporting_rhythms_plan_own', sqlite_where=sa.text('group_id IS NULL'), postgresql_where=sa.text('group_id IS NULL'))
        batch_op.drop_index(batch_op.f('ix_reporting_rhythms_plan_id'))

    op.drop_table('reporting_rhythms')
