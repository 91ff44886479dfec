"""Upstream sources: the feeds syndicate polls, and what their polls found.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from syndicate.store.schema import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create sources."""
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("producer", sa.String(100), nullable=False),
        sa.Column("language", sa.String(35), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("interval", sa.Integer(), nullable=True),
        sa.Column("allow_hosts", sa.JSON(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("flagged", sa.Text(), nullable=True),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("next_fetch", UTCDateTime(), nullable=False),
        sa.Column("last_fetch", UTCDateTime(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.String(100), nullable=True),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("feed_errors", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("entries_ingested", sa.Integer(), nullable=False),
        sa.Column("last_note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("url", name=op.f("uq_sources_url")),
    )
    op.create_index("ix_sources_paused_next_fetch", "sources", ["paused", "next_fetch"])


def downgrade() -> None:
    """Drop what upgrade() created."""
    op.drop_index("ix_sources_paused_next_fetch", table_name="sources")
    op.drop_table("sources")
