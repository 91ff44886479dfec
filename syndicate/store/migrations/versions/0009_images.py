"""Lead images: the article's image, and its translated alt text and caption.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add articles.image and article_translations.image_text."""
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("image", sa.JSON(), nullable=True))
    with op.batch_alter_table("article_translations") as batch:
        batch.add_column(sa.Column("image_text", sa.JSON(), nullable=True))


def downgrade() -> None:
    """Drop what upgrade() added."""
    with op.batch_alter_table("article_translations") as batch:
        batch.drop_column("image_text")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("image")
