"""Home visit: the conversation kept as a draft while it is typed; who ended a coach relation.

conversation_draft holds the raw form values of the plan and the coach's notes until they are
saved, and draft.followups the answers typed on the last check-in screen until "Klaar", so a
dropped connection or a session timeout loses nothing. ended_by says who ended a
relation: only a coach who closed it themselves may undo that, for 30 days.

Revision ID: 20261203_0020
Revises: 20261203_0019
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261203_0020'
down_revision = '20261203_0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.add_column(sa.Column('followups', sa.JSON(), nullable=True))
    with op.batch_alter_table('measurement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conversation_draft', sa.JSON(), nullable=True))
    with op.batch_alter_table('coach_relation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ended_by', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('coach_relation', schema=None) as batch_op:
        batch_op.drop_column('ended_by')
    with op.batch_alter_table('measurement', schema=None) as batch_op:
        batch_op.drop_column('conversation_draft')
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.drop_column('followups')
