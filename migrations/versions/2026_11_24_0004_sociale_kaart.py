"""Sociale kaart: the catalogue of local activities.

Revision ID: 20261124_0004
Revises: 20261124_0003
Create Date: 2026-11-24

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261124_0004'
down_revision = '20261124_0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=150), nullable=False),
    sa.Column('organisation', sa.String(length=150), nullable=False),
    sa.Column('organisation_url', sa.String(length=255), nullable=True),
    sa.Column('organisation_phone', sa.String(length=40), nullable=True),
    sa.Column('organisation_email', sa.String(length=150), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('pillars', sa.JSON(), nullable=False),
    sa.Column('life_events', sa.JSON(), nullable=False),
    sa.Column('eligibility', sa.Text(), nullable=True),
    sa.Column('min_age', sa.Integer(), nullable=True),
    sa.Column('max_age', sa.Integer(), nullable=True),
    sa.Column('cost', sa.String(length=20), nullable=False),
    sa.Column('cost_cents', sa.Integer(), nullable=True),
    sa.Column('schedule', sa.String(length=200), nullable=True),
    sa.Column('location_kind', sa.String(length=10), nullable=False),
    sa.Column('address', sa.String(length=150), nullable=True),
    sa.Column('postcode', sa.String(length=10), nullable=True),
    sa.Column('city', sa.String(length=80), nullable=True),
    sa.Column('wijk', sa.String(length=80), nullable=True),
    sa.Column('wheelchair', sa.Boolean(), nullable=False),
    sa.Column('hearing_loop', sa.Boolean(), nullable=False),
    sa.Column('public_transport', sa.Boolean(), nullable=False),
    sa.Column('how_to_join', sa.String(length=20), nullable=False),
    sa.Column('contact_person', sa.String(length=100), nullable=True),
    sa.Column('last_verified_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity')),
    sa.UniqueConstraint('public_id', name=op.f('uq_activity_public_id'))
    )


def downgrade():
    op.drop_table('activity')
