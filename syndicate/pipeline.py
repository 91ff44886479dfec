"""The one orchestrator: it alone knows the order ingest -> (translate -> render -> publish).

Web views, CLI commands and jobs call the pipeline; the stages never call each other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from . import ingest
from .config import Settings
from .errors import Conflict
from .models import Article, ArticleInput, IngestResult
from .store import Store
from .store import articles as article_store

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


class Pipeline:
    """Runs the stages in order against one store."""

    def __init__(self, settings: Settings, store: Store, clock: Clock = utc_now) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock

    def parse(self, body: bytes, content_type: str | None, params: Mapping[str, Sequence[str]],
              guid_fallback: str | None = None) -> ArticleInput:
        """Parse a producer's payload with the service's defaults."""
        return ingest.parse_payload(body, content_type, params,
                                    default_language=self.settings.source_language,
                                    guid_fallback=guid_fallback)

    def ingest(self, data: ArticleInput, producer: str) -> IngestResult:
        """Store an article (create, update or no-op) in one transaction."""
        for attempt in (1, 2):
            try:
                with self.store.write() as session:
                    result = article_store.upsert(session, data, producer, self.clock())
                break
            except Conflict:
                # Two first-time posts of one guid raced (PostgreSQL); the second becomes an update.
                if attempt == 2:
                    raise
        log.info("article %s %s (guid %r, producer %s, revision %d)", result.article.id,
                 result.outcome.value, data.guid, producer, result.article.revision)
        return result

    def retract(self, article_id: str) -> Article:
        """Mark an article retracted; it drops out of the feeds at the next publish."""
        with self.store.write() as session:
            article = article_store.retract(session, article_id, self.clock())
        log.info("article %s retracted", article_id)
        return article
