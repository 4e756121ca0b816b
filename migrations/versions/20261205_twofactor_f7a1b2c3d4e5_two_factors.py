"""two factors: a TOTP secret per account (with when it was enrolled and the last time step used) and recovery codes

Plain ADD COLUMN (no batch): on SQLite a batch would rebuild `users`, which every table refers to.

Revision ID: f7a1b2c3d4e5
Revises: e5d1a0c7b9f2
Create Date: 2026-12-05 17:40:00

"""
from alembic import op
import sqlalchemy as sa
import tracker.models.types


# revision identifiers, used by Alembic.
revision = 'f7a1b2c3d4e5'
down_revision = 'e5d1a0c7b9f2'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('totp_secret', sa.String(length=64), nullable=True))
    op.add_column('users', sa.Column('totp_enabled_at', tracker.models.types.UTCDateTime(timezone=True),
                                     nullable=True))
    op.add_column('users', sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
    op.create_table(
        'recovery_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('used_at', tracker.models.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
        sa.UniqueConstraint('user_id', 'code_hash', name='uq_recovery_codes_user_id_code_hash'),
    )
    op.create_index(op.f('ix_recovery_codes_user_id'), 'recovery_codes', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_recovery_codes_user_id'), table_name='recovery_codes')
    op.drop_table('recovery_codes')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')
