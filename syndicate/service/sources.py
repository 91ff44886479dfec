"""Sources: register upstream feeds, change them, read them, and record what each poll found.

A poll's entries are stored through the articles (``Articles.ingest_many``), each
with its language decided and its date checked first (``Articles.prepared``); the source's
own state (status, validators, errors, schedule) is written in its own short transaction
after them. A 304 on a healthy source writes nothing: the poller keeps its next time in memory.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from ..clock import Clock
from ..config import Settings
from ..errors import (
    Conflict,
    FeedInvalid,
    FetchRefused,
    NotFound,
    SourceError,
    SyndicateError,
    ValidationError,
)
from ..fetch import schedule
from ..fetch.client import Fetched
from ..fetch.poller import Poller
from ..ingest.upstream import FeedDocument, parse_feed
from ..models import ArticleInput, IngestOutcome, PollReport, Source, SourceInput
from ..sanitize import redacted_url
from ..store import Store
from ..store import sources as source_store
from .articles import Articles

log = logging.getLogger(__name__)


class Sources:
    """Register upstream feeds and record their polls."""

    def __init__(self, settings: Settings, store: Store, clock: Clock,
                 articles: Articles, poller: Poller) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.articles = articles
        self.poller = poller

    def all(self, *, active_only: bool = False) -> list[Source]:
        """Return the upstream sources (only those not paused, if asked), oldest first."""
        with self.store.read() as session:
            return source_store.active(session) if active_only \
                else source_store.all_sources(session)

    def get(self, source_id: int) -> Source:
        """Return one source or raise NotFound."""
        with self.store.read() as session:
            return source_store.get(session, source_id)

    def check(self, data: SourceInput) -> int:
        """Fetch and read a feed once, as a poll would, and return how many entries it has;
        ValidationError on "url" says why it could not be polled (and, for an address the
        policy refuses, how to allow it)."""
        try:
            fetched = self.poller.probe(data.url, data.allow_hosts)
            if fetched.status == 304:
                return 0
            document = self._parse(fetched, data.language)
        except FetchRefused as exc:
            raise ValidationError.single(
                "url", f"{exc.kind}: {exc.detail}; if that address is yours, allow it with "
                "--allow-host HOST[:PORT] (API and dashboard: allow_hosts)") from None
        except SourceError as exc:
            raise ValidationError.single("url", f"{exc.kind}: {exc.detail}") from None
        return document.total

    def add(self, data: SourceInput, *, check: bool = False) -> Source:
        """Register an upstream feed (after one fetch that must read as a feed, if asked);
        the poller fetches it within seconds."""
        if check:
            self.check(data)
        with self.store.write() as session:
            return source_store.add(session, data, self.clock())

    def pause(self, source_id: int, paused: bool) -> Source:
        """Pause a source, or resume it (due at once; its failure counts start again)."""
        return self.change(source_id, {"paused": paused})

    def change(self, source_id: int, changes: Mapping[str, Any]) -> Source:
        """Change a source's paused state, language, interval or categories. A resume clears
        its flag and failure counts; a new language or categories re-read the whole feed
        (no conditional GET), both due at once."""
        update = dict(changes)
        now = self.clock()
        if update.get("paused") is False:
            update.update(flagged=None, errors=0, feed_errors=0, next_fetch=now)
        for listed in ("categories", "allow_hosts"):
            if listed in update:
                update[listed] = list(update[listed])
        if "allow_hosts" in update:  # a refused source may be reachable now
            update["next_fetch"] = now
        if "language" in update or "categories" in update:
            update.update(etag=None, last_modified=None, next_fetch=now)
        with self.store.write() as session:
            return source_store.update(session, source_id, update)

    def remove(self, source_id: int) -> Source:
        """Forget a source; the articles it brought stay."""
        with self.store.write() as session:
            return source_store.delete(session, source_id)

    def fetch_now(self, source_id: int) -> Source:
        """Make a source due now (the poller takes it up within seconds)."""
        with self.store.write() as session:
            source = source_store.get(session, source_id)
            if source.paused:
                raise Conflict(f"source {source_id} is paused; resume it first")
            return source_store.update(session, source_id, {"next_fetch": self.clock()})

    def record_poll(self, source: Source, outcome: Fetched | SourceError
                    ) -> tuple[PollReport, datetime | None]:
        """Take what a poll brought: ingest new and changed entries and move the schedule.
        Return the report and, when nothing needed writing (a 304 on a healthy source), the
        next poll time for the poller to keep in memory."""
        now = self.clock()
        draw = random.random()  # jitter, so sources added together spread out
        if isinstance(outcome, SourceError):
            return self._failed(source, outcome, now, draw), None
        pace = self._pace(source)
        if outcome.status == 304:
            due = schedule.after_success(pace, now, draw, max_age=outcome.max_age,
                                         retry_after=outcome.retry_after)
            if source.errors == 0 and source.last_status in (200, 304) \
                    and outcome.moved_to is None:
                return PollReport(polled=1, not_modified=1), due  # nothing to write
            self._update(source, {"last_fetch": now, "last_status": 304, "errors": 0,
                                  "feed_errors": 0, "last_error": None, "next_fetch": due})
            return PollReport(polled=1, not_modified=1), None
        try:
            document = self._parse(outcome, source.language)
        except FeedInvalid as exc:
            return self._failed(source, exc, now, draw), None
        report, note = self._take(source, document)
        changes: dict[str, Any] = {
            "last_fetch": now, "last_status": 200, "etag": outcome.etag,
            "last_modified": outcome.last_modified, "errors": 0, "feed_errors": 0,
            "last_error": None, "last_note": note,
            "entries_ingested": source.entries_ingested + report.created + report.updated,
            "next_fetch": schedule.after_success(pace, now, draw,
                                                 ttl_minutes=document.ttl_minutes,
                                                 max_age=outcome.max_age,
                                                 retry_after=outcome.retry_after)}
        if outcome.moved_to:
            changes["url"] = outcome.moved_to
        self._update(source, changes)
        log.info("source %d: %d new, %d changed of %d entries (%s)", source.id, report.created,
                 report.updated, document.total, redacted_url(source.url))
        return report, None

    def record_unexpected(self, source: Source, exc: Exception) -> PollReport:
        """Record a failure nobody foresaw (a bug, the store) on its source, backing off."""
        try:
            report, _ = self.record_poll(source, SourceError(
                f"unexpected failure: {type(exc).__name__}: {exc}"))
            return report
        except SyndicateError:
            return PollReport(polled=1, failed=1)

    def _take(self, source: Source, document: FeedDocument) -> tuple[PollReport, str | None]:
        """Decide each entry's language and categories, then store them all."""
        ready: list[ArticleInput] = []
        held: list[str] = []
        for entry in document.entries:
            if source.language:
                entry = replace(entry, language=source.language, language_stated=True)
            if source.categories:
                labels = tuple(dict.fromkeys((*entry.categories, *source.categories)))
                entry = replace(entry, categories=labels[:50])
            try:
                ready.append(self.articles.prepared(entry))
            except ValidationError as exc:
                problem = exc.problems[0]
                held.append(f"{entry.guid!r}: " + (problem.detail if problem.field == "language"
                                                   else f"{problem.field} {problem.detail}"))
        # Oldest first: entries are numbered in their feeds as they are stored, and a feed
        # shows the highest numbers on top, so the newest entry of a poll must come last.
        results = self.articles.ingest_many(ready[::-1], source.producer)
        report = PollReport(
            polled=1, held=len(held),
            created=sum(r.outcome is IngestOutcome.CREATED for r in results),
            updated=sum(r.outcome is IngestOutcome.UPDATED for r in results))
        notes = [n for n in (document.note(),
                             f"{len(held)} entries held: {'; '.join(held[:3])}" if held else None)
                 if n]
        return report, "; ".join(notes)[:2000] or None

    def _failed(self, source: Source, error: SourceError, now: datetime,
                draw: float) -> PollReport:
        errors = source.errors + 1
        feed_errors = source.feed_errors + 1 if error.counts_toward_pause else source.feed_errors
        changes: dict[str, Any] = {
            "last_fetch": now, "last_status": error.status, "errors": errors,
            "feed_errors": feed_errors, "last_error": f"{error.kind}: {error.detail}"[:2000],
            "next_fetch": schedule.after_failure(self._pace(source), now, draw, errors,
                                                 retry_after=error.retry_after)}
        if feed_errors >= self.settings.polling.source_pause_after:
            changes.update(paused=True, flagged=f"paused after {feed_errors} failures in a row; "
                           f"last: {error.kind}: {error.detail}"[:2000])
            log.error("source %d paused after %d failures: %s", source.id, feed_errors,
                      error.detail.replace(source.url, redacted_url(source.url)))
        else:
            log.warning("source %d (%s): %s: %s", source.id, redacted_url(source.url),
                        error.kind, error.detail.replace(source.url, redacted_url(source.url)))
        self._update(source, changes)
        return PollReport(polled=1, failed=1)

    def _parse(self, fetched: Fetched, language: str | None) -> FeedDocument:
        """Read a fetched document as a poll does (FeedInvalid when it is no feed)."""
        return parse_feed(fetched.body, fetched.content_type,
                          default_language=language or self.settings.translation.source_language,
                          limit=self.settings.polling.source_max_entries)

    def _pace(self, source: Source) -> schedule.Pace:
        return schedule.Pace(source.interval or self.settings.polling.source_interval,
                             self.settings.polling.source_min_interval,
                             self.settings.polling.source_max_interval)

    def _update(self, source: Source, changes: dict[str, Any]) -> None:
        try:
            with self.store.write() as session:
                source_store.update(session, source.id, changes)
        except NotFound:
            log.info("source %d was removed while it was polled", source.id)
        except Conflict:  # it moved to a URL another source has: keep polling the old one
            if "url" not in changes:
                raise
            log.warning("source %d moved to %s, which another source polls", source.id,
                        changes["url"])
            self._update(source, {k: v for k, v in changes.items() if k != "url"})
