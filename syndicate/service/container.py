"""The only composition root: every part one process shares, built once from settings."""

from __future__ import annotations

from dataclasses import dataclass

from ..clock import Clock, utc_now
from ..config import Settings
from ..fetch.poller import Poller
from ..ingest.language import Langid
from ..publish.publisher import Publisher
from ..store import Store
from ..store.notify import Listener
from ..translate import cores
from ..translate.apertium import ApertiumEngine
from ..translate.argos import ArgosEngine
from ..translate.engine import Translator
from ..translate.router import Router
from ..translate.runner import TranslationRunner
from ..wakeups import Bells
from .access import Access
from .articles import Articles
from .backup import Backups
from .exchange import Exchange
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
    pool: cores.Pool
    listener: Listener
    exchange: Exchange

    @property
    def owner(self) -> str:
        """Return this process's lease owner (jobs and translations it holds)."""
        return self.runner.owner

    @property
    def bells(self) -> Bells:
        """Return the wake-ups of this process: rung by its commits and by its listener."""
        return self.store.bells

    @classmethod
    def build(cls, settings: Settings, role: str = "process", clock: Clock = utc_now
              ) -> Service:
        """Build the parts from settings (no database connection is made yet)."""
        store = Store(settings.database.database_url, lock_dir=settings.database.instance_dir)
        translation = settings.translation
        pool = cores.Pool(cores.plan(translation.translate_threads, cores.physical_cores()))
        argos = ArgosEngine(translation.packages_dir, beam_size=translation.beam_size,
                            max_loaded=translation.max_loaded_models, device=translation.device,
                            pool=pool)
        apertium = ApertiumEngine(pool)
        engines: dict[str, Translator] = {"argos": argos, "apertium": apertium}
        translator = Router([engines[name] for name in settings.translation.engines],
                            settings.translation.translations_dir / "engines.toml")
        detector = Langid(settings.translation.languages)  # one model, for ingest and the checks
        articles = Articles(settings, store, clock, detector)
        poller = Poller.from_settings(settings.fetch)
        sources = Sources(settings, store, clock, articles, poller)
        named_feeds = NamedFeeds(store, clock)
        glossary = settings.translation.translations_dir / "glossary.toml"
        runner = TranslationRunner(store, translator, glossary,
                                   settings.database.lease_seconds, clock, role,
                                   identify=detector.ranked, review=settings.review.mode,
                                   confidence_warning=settings.review.confidence_warning,
                                   lanes=pool.plan.threads, bell=store.bells.translate)
        models = Models(settings, translator, apertium, articles)
        publisher = Publisher(settings.feeds, store, clock,
                              public_url=settings.server.public_url,
                              languages=translation.languages,
                              translations_dir=translation.translations_dir)
        return cls(settings=settings, store=store, clock=clock, translator=translator,
                   argos=argos, apertium=apertium, articles=articles, sources=sources,
                   access=Access(store, clock), named_feeds=named_feeds,
                   review=Review(store, clock),
                   queries=Queries(settings, store, translator, publisher.feed_meta,
                                   named_feeds, pool.plan),
                   poller=poller, runner=runner, publisher=publisher,
                   pipeline=Pipeline(articles, sources, poller, runner, publisher, clock),
                   backups=Backups(settings, store, models, clock),
                   job_runs=JobRuns(store, clock, runner.owner,
                                    settings.database.lease_seconds),
                   models=models, pool=pool, listener=Listener(store),
                   exchange=Exchange(settings, store, clock, articles, glossary))
