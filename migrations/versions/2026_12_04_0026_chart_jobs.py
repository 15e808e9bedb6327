"""Charts drawn outside the request: a job per sent check-in and language, for `flask draw-charts`.

Revision ID: 20261204_0026
Revises: 20261203_0025
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261204_0026'
down_revision = '20261203_0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('chart_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('measurement_id', sa.Integer(), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['measurement_id'], ['measurement.id'], name=op.f('fk_chart_job_measurement_id_measurement'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chart_job')),
    sa.UniqueConstraint('measurement_id', 'locale', name=op.f('uq_chart_job_measurement_id'))
    )


def downgrade():
    op.drop_table('chart_job')
