"""Home visits: check-ins done together with a coach, coach notes, next check-in date.

Revision ID: 20261124_0003
Revises: 20261124_0002
Create Date: 2026-11-24

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261124_0003'
down_revision = '20261124_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coach_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_draft_coach_id_user'), 'user', ['coach_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('measurement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coach_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('coach_notes', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('next_checkin_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('rhythm', sa.String(length=20), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_measurement_coach_id_user'), 'user', ['coach_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('measurement', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_measurement_coach_id_user'), type_='foreignkey')
        batch_op.drop_column('rhythm')
        batch_op.drop_column('next_checkin_on')
        batch_op.drop_column('coach_notes')
        batch_op.drop_column('coach_id')

    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_draft_coach_id_user'), type_='foreignkey')
        batch_op.drop_column('coach_id')

