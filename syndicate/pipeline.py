"""The one orchestrator: it alone knows the order ingest -> translate -> (render -> publish).

Each stage lives in its own module: ``commands`` (ingest, retract, post-edit: writes that mark
the feeds they change), ``translate.runner`` (work selection, memory, assembly, backoff),
``publish.publisher`` (dirty feeds, rendering, writing, notifying) and ``queries`` (the read
side). The pipeline only wires them and sequences the operations that span stages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from .commands import Commands
from .config import Settings
from .fetch.poller import Poller
from .ingest.language import Langid
from .models import PollReport, PublishReport, Source, TranslateReport
from .publish.publisher import Publisher
from .queries import Queries
from .sources import Sources
from .store import Store
from .timestamps import utc_now
from .translate.engine import Translator
from .translate.runner import TranslationRunner, add

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
Progress = Callable[[int, int], None]
CHUNK = 50  # articles a retranslation works through between progress reports


class Pipeline:
    """Runs the stages in order against one store and one translation engine."""

    def __init__(self, settings: Settings, store: Store, translator: Translator,
                 clock: Clock = utc_now, role: str = "worker") -> None:
        self.settings = settings
        self.store = store
        self.translator = translator
        self.clock = clock
        detector = Langid(settings.languages)  # one model, for ingest and the checks
        self.commands = Commands(settings, store, clock, detector)
        self.sources = Sources(settings, store, clock, self.commands)
        self.runner = TranslationRunner(store, translator,
                                        settings.translations_dir / "glossary.toml",
                                        settings.lease_seconds, clock, role,
                                        identify=detector.ranked, review=settings.review_mode,
                                        confidence_warning=settings.confidence_warning)
        self.publisher = Publisher(settings, store, clock)
        self.queries = Queries(settings, store, translator, self.publisher.feed_meta)
        self.poller = Poller.from_settings(settings)
        # The stages' entry points, as callers use them.
        self.parse = self.commands.parse
        self.ingest = self.commands.ingest
        self.retract = self.commands.retract
        self.post_edit = self.commands.post_edit
        self.article = self.queries.article
        self.translation = self.queries.translation
        self.status = self.queries.status
        self.feed_meta = self.publisher.feed_meta
        self.published = self.publisher.published
        self.readiness = self.publisher.check

    def poll_sources(self, only: Sequence[Source] | None = None) -> PollReport:
        """Fetch the due sources (or the given ones, due or not) and ingest what is new."""
        def due_now() -> list[Source]:
            return self.poller.due(self.queries.sources(active_only=True), self.clock())

        sources = list(only) if only is not None else due_now()
        report = PollReport()
        for outcome in self.poller.fetch(sources, None if only is not None else due_now):
            try:
                polled, due = self.sources.record_poll(outcome.source, outcome.result)
            except Exception as exc:  # one source's trouble (a bug, the store) costs only it
                log.exception("source %d: its poll could not be taken", outcome.source.id)
                polled, due = self.sources.record_unexpected(outcome.source, exc), None
            self.poller.remember(outcome.source, due)
            report = report.plus(polled)
        return report

    def translate_pending(self, *, articles: Sequence[str] | None = None) -> TranslateReport:
        """Translate due work now; the feeds it completes are marked for the publisher."""
        return self.runner.run_pass(articles=articles)

    def publish(self, only: Sequence[str] | None = None) -> PublishReport:
        """Publish what changed; naming languages re-renders them whatever changed."""
        return self.publisher.publish(only, force=only is not None)

    def publish_changes(self) -> PublishReport:
        """Publish the feeds that changes marked, if any (cheap when none did)."""
        if not self.publisher.pending():
            return PublishReport()
        return self.publisher.publish()

    def retranslate(self, article_ids: Sequence[str] | None, languages: Sequence[str] | None,
                    *, force: bool, progress: Progress | None = None) -> TranslateReport:
        """Translate articles again (all live ones when ids is None), then publish."""
        ids = self.commands.request_again(article_ids, languages, force=force)
        report = TranslateReport()
        for start in range(0, len(ids), CHUNK):
            part = ids[start:start + CHUNK]
            report = add(report, self.runner.wait_for(part, languages))
            if progress:
                progress(min(start + CHUNK, len(ids)), len(ids))
        self.publisher.publish()
        return report
