"""The audit trail as the web layer writes it: every operator action, by token name."""

from __future__ import annotations

from typing import Any

from .auth import current_token
from .context import service


def audited(action: str, params: dict[str, Any], outcome: str) -> None:
    """Append an operator action to the audit trail."""
    service().access.record(current_token().name, action, params, outcome)
