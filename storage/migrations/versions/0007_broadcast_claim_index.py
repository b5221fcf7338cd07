"""broadcast claim index: a partial index over the recipients that still have work to do

The claim query (``storage.broadcasts.claim``) looks for ``status IN ('queued','sending')`` rows
of a broadcast that are due. ``ix_broadcast_recipients_due`` also holds every finished row (and,
as rows are updated three times each, many dead entries), so a claim late in a large broadcast
walked past most of the table. This index only holds open rows: a claim reads what it takes.

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OPEN = "status IN ('queued', 'sending')"


def upgrade() -> None:
    op.create_index("ix_broadcast_recipients_open", "broadcast_recipients", ["broadcast_id", "next_attempt_at"],
                    unique=False, postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))


def downgrade() -> None:
    op.drop_index("ix_broadcast_recipients_open", table_name="broadcast_recipients")
