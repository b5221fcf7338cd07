"""login throttle counters, and the system-wide administrator flag on staff

``login_throttle``: one row per hashed key (e-mail, client address, or both) with the failures
counted and the earliest time the next attempt may be checked. ``staff.system_admin``: the one
kind of account that sees audit rows belonging to no association.

Revision ID: 0008
Revises: 0007
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("fails", sa.Integer(), nullable=False),
        sa.Column("not_before", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    op.create_index(op.f("ix_login_throttle_updated_at"), "login_throttle", ["updated_at"])
    with op.batch_alter_table("staff") as batch_op:
        batch_op.add_column(sa.Column("system_admin", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("staff") as batch_op:
        batch_op.drop_column("system_admin")
    op.drop_index(op.f("ix_login_throttle_updated_at"), table_name="login_throttle")
    op.drop_table("login_throttle")
