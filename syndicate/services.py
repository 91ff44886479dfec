"""The parts one process shares: settings, store and pipeline, built from settings."""

from __future__ import annotations

from dataclasses import dataclass

from .config import Settings
from .pipeline import Pipeline
from .store import Store
from .translate.apertium import ApertiumEngine
from .translate.argos import ArgosEngine
from .translate.engine import Translator
from .translate.router import Router

EXTENSION_KEY = "syndicate"


@dataclass(frozen=True)
class Services:
    """Everything a view, command or job needs, built once per process."""

    settings: Settings
    store: Store
    translator: Router
    argos: ArgosEngine
    apertium: ApertiumEngine
    pipeline: Pipeline

    @classmethod
    def build(cls, settings: Settings, role: str = "process") -> Services:
        """Build the parts from settings (no database connection is made yet)."""
        store = Store(settings.database_url, lock_dir=settings.instance_dir)
        argos = ArgosEngine(settings.packages_dir, beam_size=settings.beam_size,
                            max_loaded=settings.max_loaded_models, device=settings.device)
        apertium = ApertiumEngine()
        engines: dict[str, Translator] = {"argos": argos, "apertium": apertium}
        translator = Router([engines[name] for name in settings.engines],
                            settings.translations_dir / "engines.toml")
        return cls(settings=settings, store=store, translator=translator, argos=argos,
                   apertium=apertium,
                   pipeline=Pipeline(settings, store, translator, role=role))
