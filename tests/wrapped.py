"""A real engine with a fault or a condition put in front of its translate (never a stub)."""

from __future__ import annotations

from syndicate.models import Route
from syndicate.translate.engine import Translator


class Wrapped:
    """Passes everything to the real engine; subclasses put something before translate."""

    def __init__(self, engine: Translator) -> None:
        self.engine = engine
        self.name = engine.name

    def fingerprint(self) -> str:
        return self.engine.fingerprint()

    def route(self, source: str, target: str) -> Route:
        return self.engine.route(source, target)

    def memory(self) -> dict[str, tuple[int, int]]:
        return self.engine.memory()
