"""Passkeys: WebAuthn credentials, to log in with a fingerprint, face or PIN instead of a password.

Revision ID: 20261203_0010
Revises: 20261203_0009
Create Date: 2026-12-03

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261203_0010'
down_revision = '20261203_0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('passkey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('credential_id', sa.String(length=1400), nullable=False),
    sa.Column('public_key', sa.LargeBinary(), nullable=False),
    sa.Column('sign_count', sa.Integer(), nullable=False),
    sa.Column('device', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_passkey_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_passkey')),
    sa.UniqueConstraint('credential_id', name=op.f('uq_passkey_credential_id')),
    sa.UniqueConstraint('public_id', name=op.f('uq_passkey_public_id'))
    )
    with op.batch_alter_table('passkey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passkey_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('passkey', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_passkey_user_id'))
    op.drop_table('passkey')
