"""Articles with ordered blocks, and API tokens.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from syndicate.store.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the articles, article_blocks and tokens tables."""
    op.create_table(
        "articles",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("producer", sa.String(100), nullable=False),
        sa.Column("guid", sa.String(1000), nullable=False),
        sa.Column("language", sa.String(35), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("author", sa.String(200), nullable=True),
        sa.Column("link", sa.String(2048), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("published", UTCDateTime(), nullable=False),
        sa.Column("updated", UTCDateTime(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("retracted", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_articles")),
    )
    op.create_index("uq_articles_producer_guid", "articles", ["producer", "guid"], unique=True)
    op.create_index("ix_articles_published_id", "articles", ["published", "id"])
    op.create_table(
        "article_blocks",
        sa.Column("article_id", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("ordered", sa.Boolean(), nullable=True),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], ondelete="CASCADE",
            name=op.f("fk_article_blocks_article_id_articles"),
        ),
        sa.PrimaryKeyConstraint("article_id", "position", name=op.f("pk_article_blocks")),
    )
    op.create_table(
        "tokens",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("revoked", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_tokens")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_tokens_secret_hash")),
    )


def downgrade() -> None:
    """Drop everything upgrade() created."""
    op.drop_table("tokens")
    op.drop_table("article_blocks")
    op.drop_index("ix_articles_published_id", table_name="articles")
    op.drop_index("uq_articles_producer_guid", table_name="articles")
    op.drop_table("articles")
