"""Who an activity is for, and when a life-event happened.

An activity may be only for people after one of its life-events (a carers' café); a check-in (and
its draft) records the month the life-event happened, or nothing for "weet ik niet".

Revision ID: 20261203_0013
Revises: 20261203_0012
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261203_0013'
down_revision = '20261203_0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('for_event_only', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.add_column(sa.Column('life_event_on', sa.Date(), nullable=True))
    with op.batch_alter_table('measurement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('life_event_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('measurement', schema=None) as batch_op:
        batch_op.drop_column('life_event_on')
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.drop_column('life_event_on')
    with op.batch_alter_table('activity', schema=None) as batch_op:
        batch_op.drop_column('for_event_only')
