"""sign-on through the city's identity platform: links from a source's subject to an account, a job number per
account and a credit code (统一社会信用代码) per unit

Plain ADD COLUMN and a unique index (no batch): on SQLite a batch would rebuild `users` and `units`, which every
table refers to.

Revision ID: b1c2d3e4f5a6
Revises: f7a1b2c3d4e5
Create Date: 2026-12-05 19:55:00

"""
from alembic import op
import sqlalchemy as sa
import tracker.models.types


# revision identifiers, used by Alembic.
revision = 'b1c2d3e4f5a6'
down_revision = 'f7a1b2c3d4e5'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('job_number', sa.String(length=32), nullable=True))
    op.add_column('units', sa.Column('credit_code', sa.String(length=18), nullable=True))
    op.create_index(op.f('ix_units_credit_code'), 'units', ['credit_code'], unique=True)
    op.create_table(
        'sign_on_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('created_at', tracker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', tracker.models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sign_on_links_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_on_links')),
        sa.UniqueConstraint('source', 'subject', name='uq_sign_on_links_source_subject'),
        sa.UniqueConstraint('user_id', 'source', name='uq_sign_on_links_user_id_source'),
    )
    op.create_index(op.f('ix_sign_on_links_user_id'), 'sign_on_links', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_sign_on_links_user_id'), table_name='sign_on_links')
    op.drop_table('sign_on_links')
    op.drop_index(op.f('ix_units_credit_code'), table_name='units')
    op.drop_column('units', 'credit_code')  # plain DROP COLUMN (SQLite 3.35+): no rebuild of tables others refer to
    op.drop_column('users', 'job_number')
