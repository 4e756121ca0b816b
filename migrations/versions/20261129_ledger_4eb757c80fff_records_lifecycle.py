"""ledger: records settle (已办结销号) and are read; numbered notices; notifications and their mail;
outgoing webhooks; see issue 11

Records of items already done are settled as of the item's completion, so a database that ran before this
change agrees with the rule that approval settles them (no count treats them as owed).

Revision ID: 4eb757c80fff
Revises: 2795ada82b99
Create Date: 2026-11-29 22:08:57.601859

"""
from datetime import datetime, timedelta

from alembic import op
import sqlalchemy as sa

import tracker.models.types


# revision identifiers, used by Alembic.
revision = '4eb757c80fff'
down_revision = '2795ada82b99'
branch_labels = None
depends_on = None

STATUS_CHECK = "ck_accountability_records_status"
SETTLE_NOTE = "工作项已办结,督办记录自动办结销号"


def _status_check(values):
    return "status IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade():
    op.create_table('notification_mails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_key', sa.String(length=64), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('created_at', tracker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', name='status', native_enum=False, create_constraint=True, length=15), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', tracker.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_notification_mails_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_mails')),
    sa.UniqueConstraint('batch_key', 'unit_id', 'address', name=op.f('uq_notification_mails_batch_key_unit_id_address'))
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', tracker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('batch_key', sa.String(length=64), nullable=False),
    sa.Column('dedupe_key', sa.String(length=96), nullable=True),
    sa.Column('read_at', tracker.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('read_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('unit_id IS NOT NULL OR user_id IS NOT NULL', name=op.f('ck_notifications_has_recipient')),
    sa.ForeignKeyConstraint(['item_id'], ['work_items.id'], name=op.f('fk_notifications_item_id_work_items')),
    sa.ForeignKeyConstraint(['read_by_id'], ['users.id'], name=op.f('fk_notifications_read_by_id_users')),
    sa.ForeignKeyConstraint(['record_id'], ['accountability_records.id'], name=op.f('fk_notifications_record_id_accountability_records')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_notifications_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notifications_dedupe_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_user_id'), ['user_id'], unique=False)


    with op.batch_alter_table('accountability_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('read_at', tracker.models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('read_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_accountability_records_read_by_id_users'), 'users', ['read_by_id'], ['id'])
        batch_op.drop_constraint(op.f(STATUS_CHECK), type_='check')
        batch_op.create_check_constraint(op.f(STATUS_CHECK), sa.text(_status_check(("open", "answered", "closed", "settled"))))
        batch_op.add_column(sa.Column('doc_number', sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_accountability_records_doc_number'), ['doc_number'])
    op.create_table('doc_sequences',
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'year', name=op.f('pk_doc_sequences'))
    )

    op.create_table('webhooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('events', sa.JSON(), nullable=False),
    sa.Column('secret', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', tracker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_webhooks_created_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_webhooks_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhooks'))
    )
    op.create_table('webhook_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('webhook_id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', tracker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sent', 'failed', name='status', native_enum=False, create_constraint=True, length=15), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', tracker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', tracker.models.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'], name=op.f('fk_webhook_deliveries_notification_id_notifications')),
    sa.ForeignKeyConstraint(['webhook_id'], ['webhooks.id'], name=op.f('fk_webhook_deliveries_webhook_id_webhooks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_deliveries')),
    sa.UniqueConstraint('webhook_id', 'notification_id', name=op.f('uq_webhook_deliveries_webhook_id_notification_id'))
    )
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_deliveries_webhook_id'), ['webhook_id'], unique=False)

    op.create_table('webhook_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delivery_id', sa.Integer(), nullable=False),
    sa.Column('at', tracker.models.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('response_ms', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['delivery_id'], ['webhook_deliveries.id'], name=op.f('fk_webhook_attempts_delivery_id_webhook_deliveries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_attempts'))
    )
    with op.batch_alter_table('webhook_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_webhook_attempts_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_webhook_attempts_delivery_id'), ['delivery_id'], unique=False)


    op.execute(sa.text(
        "UPDATE accountability_records SET status = 'settled', close_note = :note, closed_by_id = NULL, "
        "closed_at = (SELECT w.completed_at FROM work_items w WHERE w.id = accountability_records.item_id) "
        "WHERE status IN ('open', 'answered') AND item_id IN (SELECT id FROM work_items WHERE status = 'done')"
    ).bindparams(note=SETTLE_NOTE))
    _number_existing_notices()


def _number_existing_notices():
    """Give the 督办 and 通报 records already issued their numbers, per kind and year in issue order (the default
    format, years in UTC+8 as the default plan time zone), and leave each sequence at its last number."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT id, level_name, issued_at FROM accountability_records WHERE kind IN ('ladder', 'manual') "
        "AND level_name IN ('督办', '通报') ORDER BY issued_at, id")).all()
    last = {}
    for rid, kind, issued_at in rows:
        when = issued_at if not isinstance(issued_at, str) else datetime.fromisoformat(issued_at)
        year = (when.replace(tzinfo=None) + timedelta(hours=8)).year
        last[kind, year] = last.get((kind, year), 0) + 1
        bind.execute(sa.text("UPDATE accountability_records SET doc_number = :n WHERE id = :id"),
                     {"n": f"{kind}〔{year}〕{last[kind, year]}号", "id": rid})
    for (kind, year), number in last.items():
        bind.execute(sa.text("INSERT INTO doc_sequences (kind, year, last_number) VALUES (:k, :y, :n)"),
                     {"k": kind, "y": year, "n": number})


def downgrade():
    op.drop_table('doc_sequences')
    with op.batch_alter_table('webhook_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_attempts_delivery_id'))
        batch_op.drop_index(batch_op.f('ix_webhook_attempts_at'))

    op.drop_table('webhook_attempts')
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_webhook_id'))
        batch_op.drop_index(batch_op.f('ix_webhook_deliveries_next_attempt_at'))

    op.drop_table('webhook_deliveries')
    op.drop_table('webhooks')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_user_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_unit_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_created_at'))

    op.drop_table('notifications')
    op.drop_table('notification_mails')

    op.execute(sa.text("UPDATE accountability_records SET status = 'closed' WHERE status = 'settled'"))
    with op.batch_alter_table('accountability_records', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_accountability_records_doc_number'), type_='unique')
        batch_op.drop_column('doc_number')
        batch_op.drop_constraint(op.f(STATUS_CHECK), type_='check')
        batch_op.create_check_constraint(op.f(STATUS_CHECK), sa.text(_status_check(("open", "answered", "closed"))))
        batch_op.drop_constraint(batch_op.f('fk_accountability_records_read_by_id_users'), type_='foreignkey')
        batch_op.drop_column('read_by_id')
        batch_op.drop_column('read_at')
