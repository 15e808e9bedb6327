"""Welzijn op Recept: practices that refer through the public link with a practice code.

A practice (huisartsenpraktijk or wijkteam) keeps only the hash of its code. A referral sent with
the code names the practice as its source (no user made it) and gets a reference to quote.

Revision ID: 20261203_0025
Revises: 20261203_0024
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261203_0025'
down_revision = '20261203_0024'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('wor_practice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('code_set_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wor_practice')),
    sa.UniqueConstraint('name', name=op.f('uq_wor_practice_name')),
    sa.UniqueConstraint('public_id', name=op.f('uq_wor_practice_public_id'))
    )
    with op.batch_alter_table('wor_referral', schema=None) as batch_op:
        batch_op.add_column(sa.Column('practice_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reference', sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f('ix_wor_referral_practice_id'), ['practice_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_wor_referral_reference'), ['reference'])
        batch_op.create_foreign_key(batch_op.f('fk_wor_referral_practice_id_wor_practice'), 'wor_practice',
                                    ['practice_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('wor_referral', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_wor_referral_practice_id_wor_practice'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_wor_referral_reference'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_wor_referral_practice_id'))
        batch_op.drop_column('reference')
        batch_op.drop_column('practice_id')
    op.drop_table('wor_practice')
