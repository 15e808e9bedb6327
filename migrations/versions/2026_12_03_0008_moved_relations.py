"""Moved relations: a coach who leaves hands residents to a colleague, and the resident is told.

Revision ID: 20261203_0008
Revises: 20261203_0007
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261203_0008'
down_revision = '20261203_0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('coach_relation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('moved_from_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_coach_relation_moved_from_id_user'), 'user', ['moved_from_id'],
                                    ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('coach_relation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_coach_relation_moved_from_id_user'), type_='foreignkey')
        batch_op.drop_column('moved_from_id')
