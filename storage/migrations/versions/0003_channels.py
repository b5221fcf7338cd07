"""push channels: opt-out history, provider status callbacks, uncertain sends

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('channel_identities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opted_in_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uncertain_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('subscription_events',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('org', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=128), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscription_events'))
    )
    with op.batch_alter_table('subscription_events', schema=None) as batch_op:
        batch_op.create_index('ix_subscription_events_identity', ['org', 'channel', 'address'], unique=False)

    op.create_table('provider_statuses',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('org', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('provider_message_id', sa.String(length=128), nullable=False),
    sa.Column('outbox_id', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error_code', sa.String(length=16), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_statuses'))
    )
    with op.batch_alter_table('provider_statuses', schema=None) as batch_op:
        batch_op.create_index('ix_provider_statuses_provider_id', ['org', 'channel', 'provider_message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_statuses_outbox_id'), ['outbox_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('provider_statuses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_statuses_outbox_id'))
        batch_op.drop_index('ix_provider_statuses_provider_id')
    op.drop_table('provider_statuses')
    with op.batch_alter_table('subscription_events', schema=None) as batch_op:
        batch_op.drop_index('ix_subscription_events_identity')
    op.drop_table('subscription_events')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('uncertain_at')
    with op.batch_alter_table('channel_identities', schema=None) as batch_op:
        batch_op.drop_column('opted_in_at')
