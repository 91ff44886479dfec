"""Dashboard sessions: server-side, hashed ids, idle expiry, ended with their token.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from syndicate.store.schema import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create dashboard_sessions."""
    op.create_table(
        "dashboard_sessions",
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("token", sa.String(100), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["token"], ["tokens.name"], ondelete="CASCADE",
                                name=op.f("fk_dashboard_sessions_token_tokens")),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_dashboard_sessions")),
    )
    op.create_index("ix_dashboard_sessions_token", "dashboard_sessions", ["token"])


def downgrade() -> None:
    """Drop dashboard_sessions."""
    op.drop_index("ix_dashboard_sessions_token", table_name="dashboard_sessions")
    op.drop_table("dashboard_sessions")
