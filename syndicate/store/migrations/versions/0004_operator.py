"""Requested jobs (parameters, coalescing key, queue time) and the operators' audit log.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from syndicate.store.schema import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ACTIVE = sa.text("state IN ('queued', 'running')")


def upgrade() -> None:
    """Add job parameters and coalescing; create audit_log."""
    with op.batch_alter_table("job_runs") as batch:
        batch.add_column(sa.Column("params", sa.JSON(), nullable=False,
                                   server_default=sa.text("'{}'")))
        batch.add_column(sa.Column("coalesce_key", sa.String(300), nullable=True))
        batch.add_column(sa.Column("queued", UTCDateTime(), nullable=True))
    with op.batch_alter_table("job_runs") as batch:
        batch.alter_column("params", server_default=None)
    op.create_index("uq_job_runs_active_key", "job_runs", ["job", "coalesce_key"], unique=True,
                    sqlite_where=_ACTIVE, postgresql_where=_ACTIVE)
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(200), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_created", "audit_log", ["created"])


def downgrade() -> None:
    """Drop what upgrade() created."""
    op.drop_index("ix_audit_log_created", table_name="audit_log")
    op.drop_table("audit_log")
    op.drop_index("uq_job_runs_active_key", table_name="job_runs")
    with op.batch_alter_table("job_runs") as batch:
        batch.drop_column("queued")
        batch.drop_column("coalesce_key")
        batch.drop_column("params")
