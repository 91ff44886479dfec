"""The read side: what views and commands show, each answer from one short read transaction.

Views read through this module instead of reaching into ``store`` themselves, so the web layer
depends on one interface, and every read the service makes is listed here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from . import languages
from .config import Settings
from .errors import NotFound, PairUnavailable
from .models import (
    Article,
    AuditEntry,
    Edit,
    FeedPulls,
    JobRun,
    NamedFeed,
    Source,
    Token,
    Translation,
)
from .publish.render import FeedMeta
from .store import Store, counters
from .store import articles as article_store
from .store import audit as audit_store
from .store import jobs as job_store
from .store import named_feeds as named_store
from .store import sources as source_store
from .store import tokens as token_store
from .store import translations as translation_store
from .store.articles import Page
from .timestamps import rfc3339
from .translate.argos import installed_packages
from .translate.engine import Translator

__all__ = ["MetricsSnapshot", "Page", "Queries"]


@dataclass(frozen=True)
class MetricsSnapshot:
    """Counters and gauges for /metrics, read together."""

    counters: dict[str, float]
    translations: dict[str, dict[str, int]]  # language -> status -> live articles
    queued_jobs: int


class Queries:
    """Read models for the web layer and the CLI."""

    def __init__(self, settings: Settings, store: Store, translator: Translator,
                 feed_meta: Callable[[str], FeedMeta]) -> None:
        self.settings = settings
        self.store = store
        self.translator = translator
        self.feed_meta = feed_meta

    def article(self, article_id: str, producer: str | None = None) -> Article:
        """Return an article with the status of each of its translations (NotFound when a
        producer is named and the article is another's)."""
        with self.store.read() as session:
            article = article_store.get(session, article_id)
            if producer is not None and article.producer != producer:
                raise NotFound(f"no article with id {article_id!r}")
            found = translation_store.all_of(session, article_id)
            return replace(article, translations={t.language: t.status.value for t in found},
                           checks={t.language: t.passed for t in found if t.source_revision})

    def held(self, language: str | None, limit: int) -> list[tuple[Article, Translation]]:
        """Return held translations, oldest first, each beside its article."""
        with self.store.read() as session:
            found = translation_store.held(session, language, limit)
            return [(article_store.get(session, t.article_id), t) for t in found]

    def articles(self, *, limit: int, cursor: str | None, include_retracted: bool,
                 producer: str | None = None) -> Page:
        """Return a page of articles, newest first (one producer's only, when named)."""
        with self.store.read() as session:
            return article_store.page(session, limit=limit, cursor=cursor,
                                      include_retracted=include_retracted, producer=producer)

    def translation(self, article_id: str, language: str, producer: str | None = None
                    ) -> tuple[Article, Translation, list[Edit]]:
        """Return the article, its translation into language, and the post-edit history."""
        with self.store.read() as session:
            article = article_store.get(session, article_id)
            if producer is not None and article.producer != producer:
                raise NotFound(f"no article with id {article_id!r}")
            translation = translation_store.get(session, article_id, language)
            return article, translation, translation_store.edits(session, article_id, language)

    def authenticate(self, secret: str) -> Token:
        """Return the active token with this secret, or raise Unauthenticated."""
        with self.store.read() as session:
            return token_store.authenticate(session, secret)

    def named_feed(self, name: str) -> NamedFeed:
        """Return a named feed or raise NotFound."""
        with self.store.read() as session:
            return named_store.get(session, name)

    def named_feeds(self) -> list[tuple[NamedFeed, list[FeedPulls]]]:
        """Return every named feed with its pull counts per partner and language."""
        with self.store.read() as session:
            feeds = named_store.all_feeds(session)
            counted = named_store.pulls(session)
        return [(f, [p for p in counted if p.feed == f.name]) for f in feeds]

    def partner(self, key: str) -> str:
        """Return the partner a key belongs to, or raise Unauthenticated."""
        with self.store.read() as session:
            return named_store.partner_of(session, key)

    def sources(self, *, active_only: bool = False) -> list[Source]:
        """Return the upstream sources (only those not paused, if asked), oldest first."""
        with self.store.read() as session:
            return source_store.active(session) if active_only \
                else source_store.all_sources(session)

    def source(self, source_id: int) -> Source:
        """Return one source or raise NotFound."""
        with self.store.read() as session:
            return source_store.get(session, source_id)

    def tokens(self) -> list[Token]:
        """Return every token (names, roles, states; never secrets)."""
        with self.store.read() as session:
            return token_store.all_tokens(session)

    def jobs(self, *, limit: int, job: str | None = None, before: int | None = None
             ) -> list[JobRun]:
        """Return job runs, newest first."""
        with self.store.read() as session:
            return job_store.recent(session, limit=limit, job=job, before=before)

    def job(self, run_id: int) -> JobRun:
        """Return one job run or raise NotFound."""
        with self.store.read() as session:
            return job_store.get(session, run_id)

    def audit(self, *, limit: int, before: int | None) -> list[AuditEntry]:
        """Return operator actions, newest first."""
        with self.store.read() as session:
            return audit_store.recent(session, limit=limit, before=before)

    def metrics(self) -> MetricsSnapshot:
        """Return the counters and gauges /metrics shows."""
        with self.store.read() as session:
            return MetricsSnapshot(counters.read(session), translation_store.counts(session),
                                   job_store.depth(session))

    def status(self) -> dict[str, Any]:
        """Return, per language: model, article counts by status, last publish, feed URLs."""
        settings = self.settings
        with self.store.read() as session:
            by_status = translation_store.counts(session)
            own = article_store.count_by_language(session)
        tests = [p for p in installed_packages(settings.packages_dir) if p.test_kind]
        out = []
        for lang in settings.languages:
            meta = self.feed_meta(lang)
            feed = settings.feeds_dir / lang / "atom.xml"
            published = datetime.fromtimestamp(feed.stat().st_mtime, UTC) if feed.exists() \
                else None
            entry: dict[str, Any] = {
                "language": lang, "name": languages.KNOWN[lang].name,
                "source": lang == settings.source_language,
                "articles": {"written_in": own.get(lang, 0),
                             **{s: by_status.get(lang, {}).get(s, 0)
                                for s in ("done", "held", "pending", "failed", "unavailable")}},
                "last_publish": rfc3339(published),
                "feeds": {"rss": meta.rss_url, "atom": meta.atom_url, "json": meta.json_url},
            }
            if lang != settings.source_language:
                try:
                    route = self.translator.route(settings.source_language, lang)
                    entry["model"] = {"installed": True, "version": route.model,
                                      "engine": route.engine,
                                      "test_package": route.engine == "argos" and any(
                                          p.model_id in route.model for p in tests)}
                except PairUnavailable as exc:
                    entry["model"] = {"installed": False, "version": None, "detail": str(exc)}
            out.append(entry)
        named = []
        for definition, pulls in self.named_feeds():
            requests = sum(p.requests for p in pulls)
            named.append({
                "name": definition.name, "languages": list(definition.languages),
                "mode": definition.mode.value, "public": definition.public, "pulls": requests,
                "not_modified_share": round(sum(p.not_modified for p in pulls) / requests, 3)
                if requests else None,
                "last_pull": rfc3339(max((p.last_pull for p in pulls), default=None)),
                "partners": sorted({p.partner for p in pulls})})
        return {"languages": out, "named_feeds": named}
