"""Offline home visits: the visit key handed out with a visit bundle, claimed once by its upload.

The unique public id is the check-in's idempotency key; the unique checkin_id keeps one visit from
ever pointing at two check-ins (issue 13).

Revision ID: 20261203_0019
Revises: 20261203_0018
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261203_0019'
down_revision = '20261203_0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('offline_visit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=True),
    sa.Column('questionnaire_id', sa.String(length=50), nullable=False),
    sa.Column('questionnaire_version', sa.Integer(), nullable=False),
    sa.Column('form', sa.String(length=20), nullable=False),
    sa.Column('prepared_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('checkin_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['checkin_id'], ['measurement.id'], name=op.f('fk_offline_visit_checkin_id_measurement'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['coach_id'], ['user.id'], name=op.f('fk_offline_visit_coach_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_offline_visit_resident_id_resident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offline_visit')),
    sa.UniqueConstraint('checkin_id', name=op.f('uq_offline_visit_checkin_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_offline_visit_public_id'))
    )
    with op.batch_alter_table('offline_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offline_visit_resident_id'), ['resident_id'], unique=False)


def downgrade():
    with op.batch_alter_table('offline_visit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offline_visit_resident_id'))
    op.drop_table('offline_visit')
