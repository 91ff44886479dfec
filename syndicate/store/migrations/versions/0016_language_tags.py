"""The language tag an article states when it names a region no model tells apart ("en-GB"):
routed as its language ("en"), published with its own tag.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add articles.language_tag (NULL: the tag is the language itself)."""
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("language_tag", sa.String(35), nullable=True))


def downgrade() -> None:
    """Drop what upgrade() added."""
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("language_tag")
