"""Referrals: a suggestion the resident tries, with its status and follow-up.

Revision ID: 20261124_0005
Revises: 20261124_0004
Create Date: 2026-11-24

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261124_0005'
down_revision = '20261124_0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('measurement_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('stop_reason', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('followup_rating', sa.Integer(), nullable=True),
    sa.Column('followup_text', sa.Text(), nullable=True),
    sa.Column('followup_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['activity.id'], name=op.f('fk_referral_activity_id_activity'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_referral_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['measurement_id'], ['measurement.id'], name=op.f('fk_referral_measurement_id_measurement'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_referral_resident_id_resident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral')),
    sa.UniqueConstraint('public_id', name=op.f('uq_referral_public_id'))
    )
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_resident_id'), ['resident_id'], unique=False)



def downgrade():
    with op.batch_alter_table('referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_resident_id'))

    op.drop_table('referral')
