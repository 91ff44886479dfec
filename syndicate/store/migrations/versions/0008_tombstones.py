"""Tombstones: a retraction's reason, retractions by time, and when a feed goes stale.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from syndicate.store.schema import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add articles.retraction_reason, its index on retracted, and feed_state.expires."""
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("retraction_reason", sa.String(500), nullable=True))
    op.create_index("ix_articles_retracted", "articles", ["retracted"])
    with op.batch_alter_table("feed_state") as batch:
        batch.add_column(sa.Column("expires", UTCDateTime(), nullable=True))


def downgrade() -> None:
    """Drop what upgrade() added."""
    with op.batch_alter_table("feed_state") as batch:
        batch.drop_column("expires")
    op.drop_index("ix_articles_retracted", table_name="articles")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("retraction_reason")
