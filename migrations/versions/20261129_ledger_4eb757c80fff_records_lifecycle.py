"""ledger: records settle (已办结销号) and are read; see issue 11

Records of items already done are settled as of the item's completion, so a database that ran before this
change agrees with the rule that approval settles them (no count treats them as owed).

Revision ID: 4eb757c80fff
Revises: c5e48990c64c
Create Date: 2026-11-29 22:08:57.601859

"""
from alembic import op
import sqlalchemy as sa

import tracker.models.types


# revision identifiers, used by Alembic.
revision = '4eb757c80fff'
down_revision = 'c5e48990c64c'
branch_labels = None
depends_on = None

STATUS_CHECK = "ck_accountability_records_status"
SETTLE_NOTE = "工作项已办结,督办记录自动办结销号"


def _status_check(values):
    return "status IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade():
    with op.batch_alter_table('accountability_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('read_at', tracker.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('read_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_accountability_records_read_by_id_users'), 'users', ['read_by_id'], ['id'])
        batch_op.drop_constraint(op.f(STATUS_CHECK), type_='check')
        batch_op.create_check_constraint(op.f(STATUS_CHECK), sa.text(_status_check(("open", "answered", "closed", "settled"))))

    op.execute(sa.text(
        "UPDATE accountability_records SET status = 'settled', close_note = :note, closed_by_id = NULL, "
        "closed_at = (SELECT w.completed_at FROM work_items w WHERE w.id = accountability_records.item_id) "
        "WHERE status IN ('open', 'answered') AND item_id IN (SELECT id FROM work_items WHERE status = 'done')"
    ).bindparams(note=SETTLE_NOTE))


def downgrade():
    op.execute(sa.text("UPDATE accountability_records SET status = 'closed' WHERE status = 'settled'"))
    with op.batch_alter_table('accountability_records', schema=None) as batch_op:
        batch_op.drop_constraint(op.f(STATUS_CHECK), type_='check')
        batch_op.create_check_constraint(op.f(STATUS_CHECK), sa.text(_status_check(("open", "answered", "closed"))))
        batch_op.drop_constraint(batch_op.f('fk_accountability_records_read_by_id_users'), type_='foreignkey')
        batch_op.drop_column('read_by_id')
        batch_op.drop_column('read_at')
