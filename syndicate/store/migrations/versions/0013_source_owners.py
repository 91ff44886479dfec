"""Each source owns its articles: a source's producer name is its own (unique).

Sources that shared a producer (two feeds of one host, before this revision) keep the oldest
one's name; the others become ``<name>-<id>``, so their next entries are their own.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Rename shared producers, then make the name unique."""
    sources = sa.table("sources", sa.column("id", sa.Integer()),
                       sa.column("producer", sa.String(100)))
    connection = op.get_bind()
    seen: set[str] = set()
    for source_id, producer in connection.execute(
            sa.select(sources.c.id, sources.c.producer).order_by(sources.c.id)).all():
        if producer in seen:
            connection.execute(sources.update().where(sources.c.id == source_id)
                               .values(producer=f"{producer[:88]}-{source_id}"))
        seen.add(producer)
    with op.batch_alter_table("sources") as batch:
        batch.create_unique_constraint(op.f("uq_sources_producer"), ["producer"])


def downgrade() -> None:
    """Drop the unique constraint (names stay as renamed)."""
    with op.batch_alter_table("sources") as batch:
        batch.drop_constraint(op.f("uq_sources_producer"), type_="unique")
