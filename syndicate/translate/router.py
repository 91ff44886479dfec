"""Several offline engines behind one Translator: each pair goes to the first engine (in the
preference order of SYNDICATE_ENGINES) that has it, unless translations/engines.toml names one.

    # translations/engines.toml
    [pairs]
    "en-es" = "apertium"

The route says which engine served a pair, so the translation memory (keyed by engine and
model) never mixes two engines' output, and switching engines re-translates.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path

from ..errors import ConfigError, PairUnavailable
from ..models import Route
from .engine import Scored, Translator


class Router:
    """A Translator that routes each language pair to one of several engines."""

    name = "router"

    def __init__(self, engines: Sequence[Translator], overrides_file: Path) -> None:
        self.engines = {engine.name: engine for engine in engines}
        self.order = [engine.name for engine in engines]
        self.overrides_file = overrides_file

    def fingerprint(self) -> str:
        """Return every engine's fingerprint and the overrides, in one string."""
        stamp = self.overrides_file.stat().st_mtime_ns if self.overrides_file.exists() else 0
        return ";".join([str(stamp)] + [f"{n}={self.engines[n].fingerprint()}"
                                        for n in self.order])

    def overrides(self) -> dict[str, str]:
        """Return "source-target" -> engine name from translations/engines.toml."""
        if not self.overrides_file.exists():
            return {}
        try:
            table = tomllib.loads(self.overrides_file.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{self.overrides_file}: {exc}") from None
        pairs = table.get("pairs", {})
        bad = {k: v for k, v in pairs.items() if v not in self.engines}
        if not isinstance(pairs, dict) or bad:
            raise ConfigError(f"{self.overrides_file}: [pairs] values must be one of "
                              f"{', '.join(self.order)} (got {bad})")
        return {str(k): str(v) for k, v in pairs.items()}

    def route(self, source: str, target: str) -> Route:
        """Return the route of the engine chosen for the pair, or raise PairUnavailable."""
        chosen = self.overrides().get(f"{source}-{target}")
        if chosen is not None:
            return self.engines[chosen].route(source, target)
        for name in self.order:
            try:
                return self.engines[name].route(source, target)
            except PairUnavailable:
                continue
        raise PairUnavailable(source, target)

    def memory(self) -> dict[str, tuple[int, int]]:
        """Return every engine's loaded models and their memory."""
        return {model: used for name in self.order
                for model, used in self.engines[name].memory().items()}

    def translate(self, route: Route, sentences: Sequence[str]) -> list[Scored]:
        """Translate with the engine the route names."""
        return self.engines[route.engine].translate(route, sentences)
