"""Reset codes for staff who forgot their password, printed by the beheerder.

Revision ID: 20261205_0027
Revises: 20261204_0026
Create Date: 2026-12-05

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261205_0027'
down_revision = '20261204_0026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('staff_reset_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_staff_reset_code_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_staff_reset_code_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_reset_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_staff_reset_code_code_hash'))
    )
    with op.batch_alter_table('staff_reset_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_reset_code_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('staff_reset_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_reset_code_user_id'))
    op.drop_table('staff_reset_code')
