"""Impact releases: differentially private figures, kept per month against the privacy budget.

Revision ID: 20261203_0012
Revises: 20261203_0011
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261203_0012'
down_revision = '20261203_0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'impact_release',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('epsilon', sa.Float(), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_impact_release')),
        sa.UniqueConstraint('month', 'key', name=op.f('uq_impact_release_month')),
    )
    with op.batch_alter_table('impact_release', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_impact_release_month'), ['month'], unique=False)


def downgrade():
    with op.batch_alter_table('impact_release', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_impact_release_month'))
    op.drop_table('impact_release')
