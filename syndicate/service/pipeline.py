"""The one orchestrator: it alone knows the order (fetch ->) ingest -> translate -> publish.

Each stage owns its logic: ``fetch.poller`` (upstream feeds), ``Sources`` (recording polls),
``Articles`` (writes that mark the feeds they change), ``translate.runner`` (work selection,
memory, assembly, backoff) and ``publish.publisher`` (dirty feeds, rendering, writing,
notifying). The pipeline only sequences the operations that span stages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from ..clock import Clock
from ..fetch.poller import Poller
from ..models import PollReport, PublishReport, Source, TranslateReport
from ..publish.publisher import Publisher
from ..translate.runner import TranslationRunner, add
from .articles import Articles
from .sources import Sources

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
CHUNK = 50  # articles a retranslation works through between progress reports


class Pipeline:
    """Runs the stages in order against one store and one translation engine."""

    def __init__(self, articles: Articles, sources: Sources, poller: Poller,
                 runner: TranslationRunner, publisher: Publisher, clock: Clock) -> None:
        self._articles = articles
        self._sources = sources
        self._poller = poller
        self._runner = runner
        self._publisher = publisher
        self._clock = clock

    def poll_sources(self, only: Sequence[Source] | None = None) -> PollReport:
        """Fetch the due sources (or the given ones, due or not) and ingest what is new."""
        def due_now() -> list[Source]:
            return self._poller.due(self._sources.all(active_only=True), self._clock())

        sources = list(only) if only is not None else due_now()
        report = PollReport()
        for outcome in self._poller.fetch(sources, None if only is not None else due_now):
            try:
                polled, due = self._sources.record_poll(outcome.source, outcome.result)
            except Exception as exc:  # one source's trouble (a bug, the store) costs only it
                log.exception("source %d: its poll could not be taken", outcome.source.id)
                polled, due = self._sources.record_unexpected(outcome.source, exc), None
            self._poller.remember(outcome.source, due)
            report = report.plus(polled)
        return report

    def translate_pending(self, *, articles: Sequence[str] | None = None) -> TranslateReport:
        """Translate due work now; the feeds it completes are marked for the publisher."""
        return self._runner.run_pass(articles=articles)

    def translate_until_idle(self, timeout: float) -> TranslateReport:
        """Translate due work now and wait for what other workers are translating."""
        return self._runner.until_idle(timeout)

    def publish(self, only: Sequence[str] | None = None) -> PublishReport:
        """Publish what changed; naming languages re-renders them whatever changed."""
        return self._publisher.publish(only, force=only is not None)

    def publish_changes(self) -> PublishReport:
        """Publish the feeds that changes marked, if any (cheap when none did)."""
        if not self._publisher.pending():
            return PublishReport()
        return self._publisher.publish()

    def retranslate(self, article_ids: Sequence[str] | None, languages: Sequence[str] | None,
                    *, force: bool, progress: Progress | None = None) -> TranslateReport:
        """Translate articles again (all live ones when ids is None), then publish."""
        ids = self._articles.request_again(article_ids, languages, force=force)
        report = TranslateReport()
        for start in range(0, len(ids), CHUNK):
            part = ids[start:start + CHUNK]
            report = add(report, self._runner.wait_for(part, languages))
            if progress:
                progress(min(start + CHUNK, len(ids)), len(ids))
        self._publisher.publish()
        return report
