"""Who wrote each translated field (review means every published field, or an approval), and
the instance's own facts (the public URL every process writes links with).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add article_translations.human_fields and the instance table."""
    with op.batch_alter_table("article_translations") as batch:
        batch.add_column(sa.Column("human_fields", sa.JSON(), nullable=True))
    op.create_table(
        "instance",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_instance")))


def downgrade() -> None:
    """Drop what upgrade() added."""
    op.drop_table("instance")
    with op.batch_alter_table("article_translations") as batch:
        batch.drop_column("human_fields")
