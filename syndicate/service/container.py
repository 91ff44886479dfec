"""The only composition root: every part one process shares, built once from settings."""

from __future__ import annotations

from dataclasses import dataclass

from ..clock import Clock, utc_now
from ..config import Settings
from ..fetch.poller import Poller
from ..ingest.language import Langid
from ..publish.publisher import Publisher
from ..store import Store
from ..translate.apertium import ApertiumEngine
from ..translate.argos import ArgosEngine
from ..translate.engine import Translator
from ..translate.router import Router
from ..translate.runner import TranslationRunner
from .access import Access
from .articles import Articles
from .backup import Backups
from .job_runs import JobRuns
from .models import Models
from .named_feeds import NamedFeeds
from .pipeline import Pipeline
from .queries import Queries
from .review import Review
from .sources import Sources

EXTENSION_KEY = "syndicate"


@dataclass(frozen=True)
class Service:
    """Everything a view, command or job needs, built once per process; callers ask it for the
    part they need rather than reaching through one part to another."""

    settings: Settings
    store: Store
    clock: Clock
    translator: Router
    argos: ArgosEngine
    apertium: ApertiumEngine
    articles: Articles
    sources: Sources
    access: Access
    named_feeds: NamedFeeds
    review: Review
    queries: Queries
    poller: Poller
    runner: TranslationRunner
    publisher: Publisher
    pipeline: Pipeline
    backups: Backups
    job_runs: JobRuns
    models: Models

    @property
    def owner(self) -> str:
        """Return this process's lease owner (jobs and translations it holds)."""
        return self.runner.owner

    @classmethod
    def build(cls, settings: Settings, role: str = "process", clock: Clock = utc_now
              ) -> Service:
        """Build the parts from settings (no database connection is made yet)."""
        store = Store(settings.database_url, lock_dir=settings.instance_dir)
        argos = ArgosEngine(settings.packages_dir, beam_size=settings.beam_size,
                            max_loaded=settings.max_loaded_models, device=settings.device)
        apertium = ApertiumEngine()
        engines: dict[str, Translator] = {"argos": argos, "apertium": apertium}
        translator = Router([engines[name] for name in settings.engines],
                            settings.translations_dir / "engines.toml")
        detector = Langid(settings.languages)  # one model, for ingest and the checks
        articles = Articles(settings, store, clock, detector)
        poller = Poller.from_settings(settings)
        sources = Sources(settings, store, clock, articles, poller)
        named_feeds = NamedFeeds(store, clock)
        runner = TranslationRunner(store, translator,
                                   settings.translations_dir / "glossary.toml",
                                   settings.lease_seconds, clock, role,
                                   identify=detector.ranked, review=settings.review_mode,
                                   confidence_warning=settings.confidence_warning)
        publisher = Publisher(settings, store, clock)
        return cls(settings=settings, store=store, clock=clock, translator=translator,
                   argos=argos, apertium=apertium, articles=articles, sources=sources,
                   access=Access(store, clock), named_feeds=named_feeds,
                   review=Review(store, clock),
                   queries=Queries(settings, store, translator, publisher.feed_meta,
                                   named_feeds),
                   poller=poller, runner=runner, publisher=publisher,
                   pipeline=Pipeline(articles, sources, poller, runner, publisher, clock),
                   backups=Backups(settings, store, apertium, clock),
                   job_runs=JobRuns(store, clock, lambda: runner.owner,
                                    settings.lease_seconds),
                   models=Models(settings, translator, apertium, articles))
