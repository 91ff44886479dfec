"""Archive pages that a retraction or a correction made stale: a mark on each entry's row.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add feed_archive.stale (0: as published) and its index."""
    with op.batch_alter_table("feed_archive") as batch:
        batch.add_column(sa.Column("stale", sa.Integer(), nullable=False, server_default="0"))
    op.create_index("ix_feed_archive_stale", "feed_archive", ["language", "stale"])


def downgrade() -> None:
    """Drop what upgrade() added."""
    op.drop_index("ix_feed_archive_stale", table_name="feed_archive")
    with op.batch_alter_table("feed_archive") as batch:
        batch.drop_column("stale")
