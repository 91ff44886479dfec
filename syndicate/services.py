"""The parts one process shares: settings, store and pipeline, built from settings."""

from __future__ import annotations

from dataclasses import dataclass

from .config import Settings
from .pipeline import Pipeline
from .store import Store
from .translate.argos import ArgosEngine

EXTENSION_KEY = "syndicate"


@dataclass(frozen=True)
class Services:
    """Everything a view, command or job needs, built once per process."""

    settings: Settings
    store: Store
    translator: ArgosEngine
    pipeline: Pipeline

    @classmethod
    def build(cls, settings: Settings, role: str = "process") -> Services:
        """Build the parts from settings (no database connection is made yet)."""
        store = Store(settings.database_url, lock_dir=settings.instance_dir)
        translator = ArgosEngine(settings.packages_dir, beam_size=settings.beam_size,
                                 max_loaded=settings.max_loaded_models, device=settings.device)
        return cls(settings=settings, store=store, translator=translator,
                   pipeline=Pipeline(settings, store, translator, role=role))
