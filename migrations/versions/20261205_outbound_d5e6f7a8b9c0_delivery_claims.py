"""outbound: a claim (by whom, until when) on each message the scheduler sends, so it sends outside transactions

Revision ID: d5e6f7a8b9c0
Revises: c4d1e2f3a4b5
Create Date: 2026-12-05 12:40:00

"""
from alembic import op
import sqlalchemy as sa
import tracker.models.types


# revision identifiers, used by Alembic.
revision = 'd5e6f7a8b9c0'
down_revision = 'c4d1e2f3a4b5'
branch_labels = None
depends_on = None

TABLES = ('webhook_deliveries', 'notification_mails', 'digest_deliveries')


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('claimed_by', sa.String(length=80), nullable=True))
            batch_op.add_column(sa.Column('claimed_until', tracker.models.types.UTCDateTime(timezone=True),
                                          nullable=True))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('claimed_until')
            batch_op.drop_column('claimed_by')
