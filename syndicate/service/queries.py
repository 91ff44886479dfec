"""The reads that span nouns: the status page, job runs and the metrics snapshot.

Each noun's own reads sit beside its writes (``articles``, ``sources``, ``access``,
``named_feeds``, ``review``); views never reach into ``store`` themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .. import languages
from ..clock import rfc3339
from ..config import Settings
from ..errors import PairUnavailable
from ..models import (
    JobRun,
)
from ..publish.render import FeedMeta
from ..store import Store, counters
from ..store import articles as article_store
from ..store import jobs as job_store
from ..store import translations as translation_store
from ..translate.argos import installed_packages
from ..translate.cores import Plan
from ..translate.engine import Translator
from .named_feeds import NamedFeeds

__all__ = ["MetricsSnapshot", "Queries"]


@dataclass(frozen=True)
class MetricsSnapshot:
    """Counters and gauges for /metrics, read together."""

    counters: dict[str, float]
    translations: dict[str, dict[str, int]]  # language -> status -> live articles
    queued_jobs: int


class Queries:
    """The reads that span nouns, for the web layer and the CLI."""

    def __init__(self, settings: Settings, store: Store, translator: Translator,
                 feed_meta: Callable[[str], FeedMeta], named_feeds: NamedFeeds,
                 plan: Plan) -> None:
        self.settings = settings
        self.plan = plan
        self.store = store
        self.translator = translator
        self.feed_meta = feed_meta
        self.named_feeds = named_feeds

    def jobs(self, *, limit: int, job: str | None = None, before: int | None = None
             ) -> list[JobRun]:
        """Return job runs, newest first."""
        with self.store.read() as session:
            return job_store.recent(session, limit=limit, job=job, before=before)

    def job(self, run_id: int) -> JobRun:
        """Return one job run or raise NotFound."""
        with self.store.read() as session:
            return job_store.get(session, run_id)

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
            gauges = counters.read(session)
        tests = [p for p in installed_packages(settings.translation.packages_dir) if p.test_kind]
        out = []
        for lang in settings.translation.languages:
            meta = self.feed_meta(lang)
            feed = settings.feeds.feeds_dir / lang / "atom.xml"
            published = datetime.fromtimestamp(feed.stat().st_mtime, UTC) if feed.exists() \
                else None
            entry: dict[str, Any] = {
                "language": lang, "name": languages.KNOWN[lang].name,
                "source": lang == settings.translation.source_language,
                "articles": {"written_in": own.get(lang, 0),
                             **{s: by_status.get(lang, {}).get(s, 0)
                                for s in ("done", "held", "pending", "failed", "unavailable")}},
                "last_publish": rfc3339(published),
                "feeds": {"rss": meta.rss_url, "atom": meta.atom_url, "json": meta.json_url},
            }
            if lang != settings.translation.source_language:
                try:
                    route = self.translator.route(settings.translation.source_language, lang)
                    entry["model"] = {"installed": True, "version": route.model,
                                      "engine": route.engine,
                                      "test_package": route.engine == "argos" and any(
                                          p.model_id in route.model for p in tests),
                                      "memory": model_memory(route.model, gauges)}
                except PairUnavailable as exc:
                    entry["model"] = {"installed": False, "version": None, "detail": str(exc)}
            out.append(entry)
        named = []
        for definition, pulls in self.named_feeds.all():
            requests = sum(p.requests for p in pulls)
            named.append({
                "name": definition.name, "languages": list(definition.languages),
                "mode": definition.mode.value, "public": definition.public, "pulls": requests,
                "not_modified_share": round(sum(p.not_modified for p in pulls) / requests, 3)
                if requests else None,
                "last_pull": rfc3339(max((p.last_pull for p in pulls), default=None)),
                "partners": sorted({p.partner for p in pulls}),
                "definition": {"categories": list(definition.categories),
                               "producers": list(definition.producers),
                               "entries": definition.entries,
                               "max_bytes": definition.max_bytes,
                               "partners": list(definition.partners),
                               "reviewed_only": definition.reviewed_only}})
        plan = self.plan
        return {"languages": out, "named_feeds": named,
                "translation": {"cores": plan.cores, "threads": plan.threads,
                                "intra_threads": plan.intra}}


def model_memory(models: str, gauges: dict[str, float]) -> list[dict[str, Any]]:
    """Return the memory each model of a route took in the workers that loaded it (the
    highest any worker saw): at load, and at its peak (load plus its largest batch)."""
    return [{"model": model, "loaded_bytes": int(gauges[f"model_loaded_bytes|{model}"]),
             "peak_bytes": int(gauges[f"model_peak_bytes|{model}"])}
            for model in models.split(">") if f"model_peak_bytes|{model}" in gauges]
