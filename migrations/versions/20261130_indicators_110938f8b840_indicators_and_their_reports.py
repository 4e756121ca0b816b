"""indicators: the plan's quantified targets and the figures units report against them (issue 13);
an attachment (evidence file) belongs to an item or to an indicator figure

Revision ID: 110938f8b840
Revises: 4eb757c80fff
Create Date: 2026-11-30 01:25:28.026648

"""
from alembic import op
import sqlalchemy as sa

import tracker.models.types


# revision identifiers, used by Alembic.
revision = '110938f8b840'
down_revision = '4eb757c80fff'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('measure', sa.String(length=16), nullable=False),
    sa.Column('direction', sa.Enum('at_least', 'at_most', name='direction', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('target_parameter_id', sa.Integer(), nullable=True),
    sa.Column('target_value', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('period', sa.Enum('year', 'quarter', name='period', native_enum=False, create_constraint=True, length=15), nullable=False),
    sa.Column('reporters', sa.JSON(), nullable=False),
    sa.Column('first_year', sa.Integer(), nullable=True),
    sa.Column('last_year', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.CheckConstraint('(target_parameter_id IS NULL AND target_value IS NOT NULL) OR (target_parameter_id IS NOT NULL AND target_value IS NULL)', name=op.f('ck_indicators_one_target')),
    sa.CheckConstraint('first_year IS NULL OR last_year IS NULL OR first_year <= last_year', name=op.f('ck_indicators_years_ordered')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_indicators_plan_id_plans')),
    sa.ForeignKeyConstraint(['target_parameter_id'], ['task_parameters.id'], name=op.f('fk_indicators_target_parameter_id_task_parameters')),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_indicators_task_id_tasks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicators')),
    sa.UniqueConstraint('plan_id', 'key', name=op.f('uq_indicators_plan_id_key'))
    )
    op.create_table('indicator_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'accepted', 'returned', 'superseded', name='status', native_enum=False, create_constraint=True, length=18), nullable=False),
    sa.Column('reported_by_id', sa.Integer(), nullable=False),
    sa.Column('reported_at', tracker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', tracker.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status != 'returned' OR return_reason IS NOT NULL", name=op.f('ck_indicator_reports_return_has_reason')),
    sa.CheckConstraint('seq >= 1', name=op.f('ck_indicator_reports_seq_positive')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_indicator_reports_version_positive')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_indicator_reports_decided_by_id_users')),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicators.id'], name=op.f('fk_indicator_reports_indicator_id_indicators')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['users.id'], name=op.f('fk_indicator_reports_reported_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_indicator_reports_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_reports')),
    sa.UniqueConstraint('indicator_id', 'unit_id', 'period', 'seq', name=op.f('uq_indicator_reports_indicator_id_unit_id_period_seq'))
    )
    with op.batch_alter_table('indicator_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_reports_unit_id'), ['unit_id'], unique=False)

    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('indicator_report_id', sa.Integer(), nullable=True))
        batch_op.alter_column('item_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_attachments_indicator_report_id'), ['indicator_report_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_attachments_indicator_report_id_indicator_reports'), 'indicator_reports', ['indicator_report_id'], ['id'])
        batch_op.create_check_constraint(op.f('ck_attachments_item_or_indicator_report'),
                                         '(item_id IS NULL) != (indicator_report_id IS NULL)')



def downgrade():
    # Evidence of indicator figures has no item to belong to once the figures are gone: its rows go with them
    # (the files stay on disk, where `flask tracker check-files` lists them as orphans).
    op.execute("DELETE FROM attachments WHERE indicator_report_id IS NOT NULL")
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_attachments_item_or_indicator_report'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_attachments_indicator_report_id_indicator_reports'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_attachments_indicator_report_id'))
        batch_op.alter_column('item_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('indicator_report_id')

    with op.batch_alter_table('indicator_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_reports_unit_id'))

    op.drop_table('indicator_reports')
    op.drop_table('indicators')
