"""evidence: whether submitting an item for review needs evidence, per plan (its items, ad-hoc items) and template

Revision ID: e5d1a0c7b9f2
Revises: c4d1e2f3a4b5
Create Date: 2026-12-05 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5d1a0c7b9f2'
down_revision = 'c4d1e2f3a4b5'
branch_labels = None
depends_on = None


def _rule(name, **kwargs):
    return sa.Column(name, sa.Enum('required', 'asked', name=name, native_enum=False, create_constraint=True,
                                   length=16), **kwargs)


def upgrade():
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.add_column(_rule('evidence_rule', server_default='required', nullable=False))
        batch_op.add_column(_rule('ad_hoc_evidence_rule', server_default='asked', nullable=False))
    with op.batch_alter_table('item_templates', schema=None) as batch_op:
        batch_op.add_column(_rule('evidence_rule', nullable=True))


def downgrade():
    with op.batch_alter_table('item_templates', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_item_templates_evidence_rule'), type_='check')
        batch_op.drop_column('evidence_rule')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_plans_ad_hoc_evidence_rule'), type_='check')
        batch_op.drop_constraint(op.f('ck_plans_evidence_rule'), type_='check')
        batch_op.drop_column('ad_hoc_evidence_rule')
        batch_op.drop_column('evidence_rule')
