"""One next check-in date and reminders.

Who set a check-in's next date (the coach at a visit, or the resident), how a resident wants to be
reminded, and one row per reminder so that it goes out once.

Revision ID: 20261203_0016
Revises: 20261203_0013
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261203_0016'
down_revision = '20261203_0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('measurement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_checkin_by', sa.String(length=20), nullable=True))
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder', sa.String(length=20), server_default='geen', nullable=False))
    op.create_table('reminder_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_reminder_sent_resident_id_resident'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_sent')),
    sa.UniqueConstraint('resident_id', 'due_on', 'channel', name=op.f('uq_reminder_sent_resident_id'))
    )


def downgrade():
    op.drop_table('reminder_sent')
    with op.batch_alter_table('resident', schema=None) as batch_op:
        batch_op.drop_column('reminder')
    with op.batch_alter_table('measurement', schema=None) as batch_op:
        batch_op.drop_column('next_checkin_by')
