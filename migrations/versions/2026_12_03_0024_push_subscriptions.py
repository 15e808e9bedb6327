"""Web push reminders: the phones a resident switched notifications on for.

One row per phone (push subscription): the push service's address and the keys to encrypt for it.

Revision ID: 20261203_0024
Revises: 20261203_0023
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261203_0024'
down_revision = '20261203_0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('push_subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('endpoint', sa.String(length=800), nullable=False),
    sa.Column('p256dh', sa.String(length=100), nullable=False),
    sa.Column('auth', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['resident_id'], ['resident.id'], name=op.f('fk_push_subscription_resident_id_resident'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_subscription')),
    sa.UniqueConstraint('endpoint', name=op.f('uq_push_subscription_endpoint'))
    )
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_push_subscription_resident_id'), ['resident_id'], unique=False)


def downgrade():
    with op.batch_alter_table('push_subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_subscription_resident_id'))
    op.drop_table('push_subscription')
