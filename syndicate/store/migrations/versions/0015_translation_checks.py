"""Translation checks and review: each translation's findings and the last person's decision;
the engine's confidence per translation and per remembered segment; named feeds that carry
reviewed translations only.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from syndicate.store.schema import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add findings and review columns to article_translations."""
    with op.batch_alter_table("article_translations") as batch:
        batch.add_column(sa.Column("findings", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("confidence", sa.Float(), nullable=True))
        batch.add_column(sa.Column("review_decision", sa.String(20), nullable=True))
        batch.add_column(sa.Column("reviewed_by", sa.String(100), nullable=True))
        batch.add_column(sa.Column("reviewed_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("review_note", sa.Text(), nullable=True))
    with op.batch_alter_table("translation_memory") as batch:
        batch.add_column(sa.Column("score", sa.Float(), nullable=True))
    with op.batch_alter_table("named_feeds") as batch:
        batch.add_column(sa.Column("reviewed_only", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    """Drop what upgrade() added."""
    with op.batch_alter_table("named_feeds") as batch:
        batch.drop_column("reviewed_only")
    with op.batch_alter_table("translation_memory") as batch:
        batch.drop_column("score")
    with op.batch_alter_table("article_translations") as batch:
        for name in ("review_note", "reviewed_at", "reviewed_by", "review_decision",
                     "confidence", "findings"):
            batch.drop_column(name)
