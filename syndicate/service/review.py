"""Review of machine translation: the queue of held translations and a person's decision."""

from __future__ import annotations

import logging

from ..clock import Clock
from ..errors import Conflict
from ..models import Article, Translation
from ..store import Store
from ..store import articles as article_store
from ..store import feeds as feed_store
from ..store import translations as translation_store

log = logging.getLogger(__name__)


class Review:
    """List held translations and record approvals and rejections."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def held(self, language: str | None, limit: int) -> list[tuple[Article, Translation]]:
        """Return held translations, oldest first, each beside its article."""
        with self.store.read() as session:
            found = translation_store.held(session, language, limit)
            return [(article_store.get(session, t.article_id), t) for t in found]

    def decide(self, article_id: str, language: str, decision: str, reviewer: str,
               note: str | None) -> Translation:
        """Record a person's decision on a translation: approve publishes it (numbered now,
        the same guid ever after), reject keeps it out until the source or the model
        changes."""
        with self.store.write() as session:
            feed_store.lock(session)
            article = article_store.get(session, article_id)
            if article.retracted is not None:
                raise Conflict(f"article {article_id!r} was retracted: there is nothing to "
                               "review")
            now = self.clock()
            reviewed = translation_store.review(session, article_id, language, decision,
                                                reviewer, note, now)
            if reviewed.source_revision != article.revision:
                raise Conflict(f"the translation into {language!r} is of revision "
                               f"{reviewed.source_revision}; the article is at "
                               f"{article.revision}: wait for the new translation")
            if decision == "approve":
                feed_store.enter(session, language, article_id, article.published, now)
            # every language's documents: hreflang links and associations follow the decision
            feed_store.touch_article(session, article_id, also=[language])
            feed_store.mark_stale(session, [article_id])
        log.info("article %s: %s translation %sd by %s", article_id, language, decision,
                 reviewer)
        return reviewed
