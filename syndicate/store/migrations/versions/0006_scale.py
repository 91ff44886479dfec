"""Production scale: feed state (dirty versions, numbering), leases, forced work, rate buckets.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

Entries that are publishable but not yet numbered (numbers used to be given at publish time)
are numbered here, oldest first, so the publisher never has to scan for them again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from syndicate.store.schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_NUMBER_MISSING = sa.text("""
INSERT INTO feed_archive (language, article_id, seq, added)
SELECT p.language, p.article_id,
       COALESCE((SELECT MAX(f.seq) FROM feed_archive f WHERE f.language = p.language), 0)
       + ROW_NUMBER() OVER (PARTITION BY p.language ORDER BY p.published, p.article_id),
       CURRENT_TIMESTAMP
FROM (
  SELECT a.language AS language, a.id AS article_id, a.published AS published
  FROM articles a WHERE a.retracted IS NULL
  UNION
  SELECT t.language, a.id, a.published
  FROM article_translations t JOIN articles a ON a.id = t.article_id
  WHERE a.retracted IS NULL AND t.status = 'done' AND t.source_revision = a.revision
) p
WHERE NOT EXISTS (SELECT 1 FROM feed_archive f
                  WHERE f.language = p.language AND f.article_id = p.article_id)
""")
_FEED_STATES = sa.text("""
INSERT INTO feed_state (language, version, published_version, next_seq, archived_pages)
SELECT language, 1, 0, MAX(seq), 0 FROM feed_archive GROUP BY language
""")


def upgrade() -> None:
    """Add leases and forced work, feed_state and rate_buckets; number unnumbered entries."""
    with op.batch_alter_table("article_translations") as batch:
        batch.add_column(sa.Column("force", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column("lease_owner", sa.String(200), nullable=True))
        batch.add_column(sa.Column("lease_expires", UTCDateTime(), nullable=True))
    with op.batch_alter_table("article_translations") as batch:
        batch.alter_column("force", server_default=None)
    op.create_index("ix_article_translations_status_requested", "article_translations",
                    ["status", "requested"])
    with op.batch_alter_table("job_runs") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(200), nullable=True))
        batch.add_column(sa.Column("lease_expires", UTCDateTime(), nullable=True))
    op.create_index("ix_job_runs_state", "job_runs", ["state"])
    op.create_index("ix_feed_archive_article_id", "feed_archive", ["article_id"])
    op.create_table(
        "feed_state",
        sa.Column("language", sa.String(35), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=False),
        sa.Column("next_seq", sa.Integer(), nullable=False),
        sa.Column("archived_pages", sa.Integer(), nullable=False),
        sa.Column("published", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("language", name=op.f("pk_feed_state")),
    )
    op.create_table(
        "rate_buckets",
        sa.Column("token", sa.String(100), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("updated", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_rate_buckets")),
    )
    op.execute(_NUMBER_MISSING)
    op.execute(_FEED_STATES)


def downgrade() -> None:
    """Drop what upgrade() created (numbers given here stay: they were valid before too)."""
    op.drop_table("rate_buckets")
    op.drop_table("feed_state")
    op.drop_index("ix_job_runs_state", table_name="job_runs")
    op.drop_index("ix_feed_archive_article_id", table_name="feed_archive")
    with op.batch_alter_table("job_runs") as batch:
        batch.drop_column("lease_expires")
        batch.drop_column("lease_owner")
    op.drop_index("ix_article_translations_status_requested", table_name="article_translations")
    with op.batch_alter_table("article_translations") as batch:
        batch.drop_column("lease_expires")
        batch.drop_column("lease_owner")
        batch.drop_column("force")
