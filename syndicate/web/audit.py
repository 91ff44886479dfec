"""The audit trail as the web layer writes it: every operator action, by token name."""

from __future__ import annotations

from typing import Any

from .auth import current_token
from .context import services


def audited(action: str, params: dict[str, Any], outcome: str) -> None:
    """Append an operator action to the audit trail."""
    services().pipeline.commands.audit(current_token().name, action, params, outcome)
