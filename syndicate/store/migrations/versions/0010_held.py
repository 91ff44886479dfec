"""Embargoed entries waiting for their release, per language.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from syndicate.store.schema import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create feed_held."""
    op.create_table(
        "feed_held",
        sa.Column("language", sa.String(35), nullable=False),
        sa.Column("article_id", sa.String(32), nullable=False),
        sa.Column("release_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE",
                                name=op.f("fk_feed_held_article_id_articles")),
        sa.PrimaryKeyConstraint("language", "article_id", name=op.f("pk_feed_held")),
    )
    op.create_index("ix_feed_held_language_release", "feed_held", ["language", "release_at"])


def downgrade() -> None:
    """Drop feed_held."""
    op.drop_index("ix_feed_held_language_release", table_name="feed_held")
    op.drop_table("feed_held")
