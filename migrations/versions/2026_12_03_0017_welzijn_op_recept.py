"""Welzijn op Recept: referrals from the GP practice and the coaches' contact attempts.

A verwijzer (a new staff role; roles are plain strings, so no change there) refers a patient; the
welzijnscoaches pick the referral up, record their tries to reach the person, and link it to the
resident they enrol. Numbered 0017 to leave room for branches in flight.

Revision ID: 20261203_0017
Revises: 20261203_0016
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261203_0017'
down_revision = '20261203_0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('wor_referral',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('referrer_id', sa.Integer(), nullable=True),
    sa.Column('patient_name', sa.String(length=100), nullable=False),
    sa.Column('contact', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('life_event', sa.String(length=40), nullable=True),
    sa.Column('urgency', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('not_started_reason', sa.String(length=20), nullable=True),
    sa.Column('coach_note', sa.Text(), nullable=True),
    sa.Column('coach_id', sa.Integer(), nullable=True),
    sa.Column('resident_id', sa.Integer(), nullable=True),
    sa.Column('sharing', sa.String(length=20), nullable=True),
    sa.Column('feedback_note', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('picked_up_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['coach_id'], ['user.id'], name=op.f('fk_wor_referral_coach_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referrer_id'], ['user.id'], name=op.f('fk_wor_referral_referrer_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_wor_referral_resident_id_resident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wor_referral')),
    sa.UniqueConstraint('public_id', name=op.f('uq_wor_referral_public_id'))
    )
    with op.batch_alter_table('wor_referral', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wor_referral_coach_id'), ['coach_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wor_referral_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_wor_referral_referrer_id'), ['referrer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wor_referral_resident_id'), ['resident_id'], unique=False)

    op.create_table('wor_contact_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['coach_id'], ['user.id'], name=op.f('fk_wor_contact_attempt_coach_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['referral_id'], ['wor_referral.id'], name=op.f('fk_wor_contact_attempt_referral_id_wor_referral'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wor_contact_attempt'))
    )
    with op.batch_alter_table('wor_contact_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wor_contact_attempt_referral_id'), ['referral_id'], unique=False)


def downgrade():
    with op.batch_alter_table('wor_contact_attempt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wor_contact_attempt_referral_id'))
    op.drop_table('wor_contact_attempt')
    with op.batch_alter_table('wor_referral', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wor_referral_resident_id'))
        batch_op.drop_index(batch_op.f('ix_wor_referral_referrer_id'))
        batch_op.drop_index(batch_op.f('ix_wor_referral_created_at'))
        batch_op.drop_index(batch_op.f('ix_wor_referral_coach_id'))
    op.drop_table('wor_referral')
