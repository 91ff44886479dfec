"""The audit trail as the web layer writes it: every operator action, by token name."""

from __future__ import annotations

from typing import Any

from ..store import audit as audit_store
from .auth import current_token
from .context import services


def audited(action: str, params: dict[str, Any], outcome: str) -> None:
    """Append an operator action to the audit trail."""
    svc = services()
    with svc.store.write() as session:
        audit_store.record(session, current_token().name, action, params, outcome,
                           svc.pipeline.clock())
