"""pack_overrides: each association's own edits of its pack, one row per version (issue 17)

Revision ID: 0009
Revises: 0008
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pack_overrides",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("org", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("diff", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["org"], ["associations.slug"], name=op.f("fk_pack_overrides_org_associations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_overrides")),
        sa.UniqueConstraint("org", "version", name=op.f("uq_pack_overrides_org_version")),
    )


def downgrade() -> None:
    op.drop_table("pack_overrides")
