"""Reset codes: the printed one-time code also serves to set a new password.

Revision ID: 20261203_0006
Revises: 20261124_0005
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261203_0006'
down_revision = '20261124_0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('activation_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=20), server_default='activatie', nullable=False))


def downgrade():
    with op.batch_alter_table('activation_code', schema=None) as batch_op:
        batch_op.drop_column('purpose')
