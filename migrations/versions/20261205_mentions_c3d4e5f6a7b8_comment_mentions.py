"""comments that reach people: who was named with @ in each comment

Revision ID: c3d4e5f6a7b8
Revises: b1c2d3e4f5a6
Create Date: 2026-12-05 20:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3d4e5f6a7b8'
down_revision = 'b1c2d3e4f5a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'comment_mentions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('comment_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.CheckConstraint('(user_id IS NULL) <> (unit_id IS NULL)', name=op.f('ck_comment_mentions_one_mentioned')),
        sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_comment_mentions_comment_id_comments')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_comment_mentions_unit_id_units')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_comment_mentions_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_mentions')),
    )
    op.create_index(op.f('ix_comment_mentions_comment_id'), 'comment_mentions', ['comment_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_comment_mentions_comment_id'), table_name='comment_mentions')
    op.drop_table('comment_mentions')
