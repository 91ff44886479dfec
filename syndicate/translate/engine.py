"""The Translator seam: what the pipeline needs from any translation engine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..errors import EngineFailure
from ..models import Route

__all__ = ["Route", "Scored", "Translator", "checked"]
Scored = tuple[str, float | None]  # a translation and the engine's confidence in it


class Translator(Protocol):
    """An offline engine that translates sentences in batches."""

    name: str

    def fingerprint(self) -> str:
        """Return a cheap summary of what is installed; it changes when packages change."""
        ...

    def route(self, source: str, target: str) -> Route:
        """Return how source->target is translated, or raise PairUnavailable."""
        ...

    def memory(self) -> dict[str, tuple[int, int]]:
        """Return, per model this process loaded: bytes taken at load, and its peak (bytes at
        load plus the most one batch added); empty for engines that load no model here."""
        ...

    def translate(self, route: Route, sentences: Sequence[str]) -> list[Scored]:
        """Translate sentences (one batch, as large as possible): each text with the
        engine's length-normalised log-probability where it gives one (None: it does not,
        as Apertium's rules); raise EngineFailure."""
        ...


def checked(route: Route, sentences: Sequence[str], outputs: Sequence[Scored]
            ) -> list[Scored]:
    """Return an engine's outputs, or raise EngineFailure when they cannot be a translation:
    a count that differs from the input's, or empty output for text that is not empty (a
    broken model; Apertium's spa-cat without cg3 prints nothing and exits 0)."""
    if len(outputs) != len(sentences):
        raise EngineFailure(f"{route.engine} {route.model} returned {len(outputs)} segments "
                            f"for {len(sentences)}")
    empty = sum(1 for s, (o, _) in zip(sentences, outputs, strict=True) if s.strip()
                and not o.strip())
    if empty:
        raise EngineFailure(f"{route.engine} {route.model} returned empty output for {empty} "
                            f"of {len(sentences)} segments")
    return list(outputs)
