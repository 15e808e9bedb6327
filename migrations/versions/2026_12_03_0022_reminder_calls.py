"""Reminders in the resident's language, the coach's call list, a resident's own form.

The language a resident chose a reminder in, a phone number the coach may record, one row per
"gebeld" tick on the call list, and the form (easy-read or not) a coach chose for a resident.

Revision ID: 20261203_0022
Revises: 20261203_0020
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261203_0022'
down_revision = '20261203_0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_locale', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('preferred_form', sa.String(length=20), nullable=True))
    op.create_table('reminder_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('coach_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('called_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['coach_id'], ['user.id'], name=op.f('fk_reminder_call_coach_id_user'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_reminder_call_resident_id_resident'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_call')),
    sa.UniqueConstraint('public_id', name=op.f('uq_reminder_call_public_id'))
    )
    with op.batch_alter_table('reminder_call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_call_resident_id'), ['resident_id'], unique=False)


def downgrade():
    with op.batch_alter_table('reminder_call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_call_resident_id'))
    op.drop_table('reminder_call')
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_column('preferred_form')
        batch_op.drop_column('phone')
        batch_op.drop_column('reminder_locale')
