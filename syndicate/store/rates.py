"""Write allowances per token, shared by every web worker and host (a token bucket a row)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .schema import RateBucketRow


def take(session: Session, token: str, capacity: float, per_second: float,
         now: datetime, *, spend: bool = True) -> float:
    """Take one from the bucket (``spend=False``: only look); return 0, or the seconds
    until one is free. Buckets are keyed by token name, or "auth:<address>" for failed
    sign-ins.

    The row is locked for the caller's transaction (FOR UPDATE on PostgreSQL; SQLite's
    writers run one at a time), so concurrent requests from many processes count exactly.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(RateBucketRow).values(token=token, tokens=capacity, updated=now)
                    .on_conflict_do_nothing())
    row = session.scalars(select(RateBucketRow).where(RateBucketRow.token == token)
                          .with_for_update()).one()
    elapsed = max(0.0, (now - row.updated).total_seconds())
    tokens = min(capacity, row.tokens + elapsed * per_second)
    row.updated = now
    if tokens < 1:
        row.tokens = tokens
        return (1 - tokens) / per_second
    row.tokens = tokens - 1 if spend else tokens
    return 0.0
