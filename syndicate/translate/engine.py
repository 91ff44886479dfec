"""The Translator seam: what the pipeline needs from any translation engine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..models import Route

__all__ = ["Route", "Translator"]


class Translator(Protocol):
    """An offline engine that translates sentences in batches."""

    name: str

    def fingerprint(self) -> str:
        """Return a cheap summary of what is installed; it changes when packages change."""
        ...

    def route(self, source: str, target: str) -> Route:
        """Return how source->target is translated, or raise PairUnavailable."""
        ...

    def translate(self, route: Route, sentences: Sequence[str]) -> list[str]:
        """Translate sentences (one batch, as large as possible); raise EngineFailure."""
        ...
