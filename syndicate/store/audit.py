"""Queries for the audit trail of operator actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import AuditEntry
from .schema import AuditRow


def record(session: Session, actor: str, action: str, params: dict[str, Any], outcome: str,
           now: datetime) -> None:
    """Append one operator action to the trail."""
    session.add(AuditRow(actor=actor, action=action, params=params, outcome=outcome,
                         created=now))


def recent(session: Session, limit: int = 50, before: int | None = None) -> list[AuditEntry]:
    """Return actions newest first (ids below ``before``, for paging)."""
    query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if before is not None:
        query = query.where(AuditRow.id < before)
    return [AuditEntry(r.id, r.actor, r.action, dict(r.params or {}), r.outcome, r.created)
            for r in session.scalars(query)]
