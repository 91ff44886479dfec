"""Named feeds (per partner or category), partner keys, and pull counts.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from syndicate.store.schema import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create named_feeds, partners and feed_pulls."""
    op.create_table(
        "named_feeds",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("producers", sa.JSON(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("max_bytes", sa.Integer(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_named_feeds")),
    )
    op.create_table(
        "partners",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("revoked", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_partners")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_partners_secret_hash")),
    )
    op.create_table(
        "feed_pulls",
        sa.Column("partner", sa.String(100), nullable=False),
        sa.Column("feed", sa.String(40), nullable=False),
        sa.Column("language", sa.String(35), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("not_modified", sa.Integer(), nullable=False),
        sa.Column("last_pull", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("partner", "feed", "language", name=op.f("pk_feed_pulls")),
    )


def downgrade() -> None:
    """Drop what upgrade() created."""
    op.drop_table("feed_pulls")
    op.drop_table("partners")
    op.drop_table("named_feeds")
