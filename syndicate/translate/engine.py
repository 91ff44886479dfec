"""The Translator seam: what the pipeline needs from any translation engine."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Route:
    """How one language pair is translated: the engine, and the model(s) in order."""

    engine: str
    source: str
    target: str
    model: str  # e.g. "translate-en_es@1.9", or "translate-es_en@1.0>translate-en_fr@1.0"


class Translator(Protocol):
    """An offline engine that translates sentences in batches."""

    name: str

    def route(self, source: str, target: str) -> Route:
        """Return how source->target is translated, or raise PairUnavailable."""
        ...

    def translate(self, route: Route, sentences: Sequence[str]) -> list[str]:
        """Translate sentences (one batch, as large as possible); raise EngineFailure."""
        ...
