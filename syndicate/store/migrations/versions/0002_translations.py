"""Translations per article and language, translation memory, human post-edits.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from syndicate.store.schema import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create article_translations, translation_memory and translation_edits."""
    op.create_table(
        "article_translations",
        sa.Column("article_id", sa.String(32), nullable=False),
        sa.Column("language", sa.String(35), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("source_revision", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("blocks", sa.JSON(), nullable=False),
        sa.Column("engine", sa.String(50), nullable=True),
        sa.Column("model", sa.String(300), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("next_attempt", UTCDateTime(), nullable=True),
        sa.Column("requested", UTCDateTime(), nullable=False),
        sa.Column("updated", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE",
                                name=op.f("fk_article_translations_article_id_articles")),
        sa.PrimaryKeyConstraint("article_id", "language", name=op.f("pk_article_translations")),
    )
    op.create_index("ix_article_translations_status", "article_translations",
                    ["status", "next_attempt"])
    op.create_table(
        "translation_memory",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("engine", sa.String(50), nullable=False),
        sa.Column("model", sa.String(300), nullable=False),
        sa.Column("source_language", sa.String(35), nullable=False),
        sa.Column("target_language", sa.String(35), nullable=False),
        sa.Column("source_hash", sa.String(64), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("target_text", sa.Text(), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_translation_memory")),
    )
    op.create_index("uq_translation_memory_key", "translation_memory",
                    ["engine", "model", "source_language", "target_language", "source_hash"],
                    unique=True)
    op.create_table(
        "translation_edits",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("article_id", sa.String(32), nullable=False),
        sa.Column("language", sa.String(35), nullable=False),
        sa.Column("field", sa.String(30), nullable=False),
        sa.Column("source_hash", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("editor", sa.String(100), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("stale", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE",
                                name=op.f("fk_translation_edits_article_id_articles")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_translation_edits")),
    )
    op.create_index("ix_translation_edits_article_language", "translation_edits",
                    ["article_id", "language"])


def downgrade() -> None:
    """Drop what upgrade() created."""
    op.drop_table("translation_edits")
    op.drop_index("uq_translation_memory_key", table_name="translation_memory")
    op.drop_table("translation_memory")
    op.drop_index("ix_article_translations_status", table_name="article_translations")
    op.drop_table("article_translations")
