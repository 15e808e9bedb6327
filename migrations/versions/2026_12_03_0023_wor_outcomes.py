"""Welzijn op Recept: what the coach records at the close, and the Rendementsmeter's price list.

At the close: improved in words, hours of coaching, what was avoided (price list ids). The
beheerder's amounts and sources override webapp/data/rendement.yaml per line (wor_price).

Revision ID: 20261203_0023
Revises: 20261203_0022
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261203_0023'
down_revision = '20261203_0022'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('wor_referral', schema=None) as batch_op:
        batch_op.add_column(sa.Column('improved', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('coaching_hours', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('avoided', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_wor_referral_closed_at'), ['closed_at'], unique=False)
    op.create_table('wor_price',
    sa.Column('item_id', sa.String(length=40), nullable=False),
    sa.Column('low', sa.Integer(), nullable=False),
    sa.Column('high', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_wor_price_updated_by_id_user'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('item_id', name=op.f('pk_wor_price'))
    )


def downgrade():
    op.drop_table('wor_price')
    with op.batch_alter_table('wor_referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wor_referral_closed_at'))
        batch_op.drop_column('closed_at')
        batch_op.drop_column('avoided')
        batch_op.drop_column('coaching_hours')
        batch_op.drop_column('improved')
