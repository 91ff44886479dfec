"""The store: engine/session lifecycle, migrations, and one query module per noun."""

from __future__ import annotations

from .engine import Store

__all__ = ["Store"]
