"""Failures of a publish, recorded where operators look: a log line naming the article or
document, a counter for /metrics, and a finding on the translation a renderer refused."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

from ..errors import SyndicateError
from ..models import Finding, Severity
from ..store import Store, counters
from ..store import translations as translation_store
from . import guard
from .entries import FeedEntry

log = logging.getLogger(__name__)
T = TypeVar("T")


class Recorder:
    """Record what a publish left out or could not write, so the rest goes on."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def failed(self, what: str, exc: Exception) -> str:
        """Record a document that could not be published; return the reason."""
        log.error("publishing %s failed; the other documents go on: %s", what, exc,
                  exc_info=not isinstance(exc, SyndicateError))
        with self.store.write() as session:
            counters.bump(session, {f"publish_failures_total|{what.split('/')[0]}": 1})
        return f"{type(exc).__name__}: {exc}"[:300]

    def guarded(self, render_with: Callable[[Sequence[FeedEntry]], T],
                entries: Sequence[FeedEntry]) -> T:
        """Render entries, leaving out any a renderer refuses: each is logged, counted and
        recorded as a finding on its translation (see guard)."""
        built = guard.build(render_with, entries)
        for refused in built.refused:
            log.error("article %s left out of the %s documents: %s", refused.article_id,
                      refused.language, refused.reason)
        if built.refused:
            with self.store.write() as session:
                counters.bump(session, {
                    f"publish_entries_refused_total|{r.language}": 1 for r in built.refused})
                for r in built.refused:
                    translation_store.add_finding(session, r.article_id, r.language, Finding(
                        "publishable", Severity.ERROR, "document", None,
                        f"left out of the feeds: {r.reason}"))
        return built.document

