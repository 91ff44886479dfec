"""Prometheus metrics, read from the database so every process's work counts."""

from __future__ import annotations

import hmac
from collections.abc import Iterator

from flask import Blueprint, Response, request
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    Metric,
    SummaryMetricFamily,
)
from prometheus_client.registry import Collector

from ..errors import Unauthenticated
from ..service import Service
from .auth import bearer
from .context import service

bp = Blueprint("metrics", __name__, url_prefix="/api/v1")
_COUNTERS = {
    "articles_ingested_total": "Articles created by producers.",
    "articles_updated_total": "Article updates that changed content.",
    "segments_translated_total": "Segments sent to the translation engine.",
    "translation_memory_hits_total": "Segments found in the translation memory.",
    "translation_memory_lookups_total": "Segments looked up in the translation memory.",
    "feed_files_written_total": "Feed files written (unchanged files are not rewritten).",
    "translations_held_total": "Translations held for review by the gate (SYNDICATE_REVIEW).",
}
FINDINGS = "translation_findings_total|"  # counters per check, language and severity
PEAK = "model_peak_bytes|"  # a gauge per model


PRIVATE = "(private)"  # the label for partner feeds and partners on public metrics


class _StoreCollector(Collector):
    def __init__(self, svc: Service, names: bool) -> None:
        self.svc = svc
        self.names = names  # name partners and partner feeds (metrics behind a token)

    def collect(self) -> Iterator[Metric]:
        snapshot = self.svc.queries.metrics()
        values, by_status, queued = (snapshot.counters, snapshot.translations,
                                     snapshot.queued_jobs)
        for name, doc in _COUNTERS.items():
            yield CounterMetricFamily(f"syndicate_{name.removesuffix('_total')}", doc,
                                      value=values.get(name, 0.0))
        lookups = values.get("translation_memory_lookups_total", 0.0)
        ratio = GaugeMetricFamily("syndicate_translation_memory_hit_ratio",
                                  "Share of looked-up segments found in the memory.")
        ratio.add_metric([], values.get("translation_memory_hits_total", 0.0) / lookups
                         if lookups else 0.0)
        yield ratio
        jobs = sorted({k.split("|", 1)[1] for k in values if k.startswith("job_")})
        duration = SummaryMetricFamily("syndicate_job_duration_seconds",
                                       "Time job runs took (translate, publish, ...).",
                                       labels=["job"])
        failures = CounterMetricFamily("syndicate_job_failures", "Job runs that failed.",
                                       labels=["job"])
        for job in jobs:
            duration.add_metric([job], int(values.get(f"job_runs_total|{job}", 0.0)),
                                values.get(f"job_seconds_total|{job}", 0.0))
            failures.add_metric([job], values.get(f"job_failures_total|{job}", 0.0))
        yield duration
        yield failures
        findings = CounterMetricFamily(
            "syndicate_translation_findings", "What the translation checks found, per check, "
            "target language and severity.", labels=["check", "language", "severity"])
        for key, value in sorted(values.items()):
            if key.startswith(FINDINGS):
                findings.add_metric(key.removeprefix(FINDINGS).split("|"), value)
        yield findings
        for name, doc in (("publish_entries_refused", "Entries a renderer refused, left out "
                           "of a language's documents (see the translation's findings)."),
                          ("publish_failures", "Documents (a language, a named feed, the "
                           "index) a publish could not write; the rest was published.")):
            family = CounterMetricFamily(f"syndicate_{name}", doc, labels=["document"])
            for key, value in sorted(values.items()):
                if key.startswith(f"{name}_total|"):
                    family.add_metric([key.split("|", 1)[1]], value)
            yield family
        memory = GaugeMetricFamily("syndicate_model_peak_bytes", "Resident memory a loaded "
                                   "model took at its peak: at load plus its largest batch.",
                                   labels=["model"])
        for key, value in sorted(values.items()):
            if key.startswith(PEAK):
                memory.add_metric([key.removeprefix(PEAK)], value)
        yield memory
        pending = GaugeMetricFamily("syndicate_pending_translations",
                                    "Translations waiting: pending or failed (retrying).")
        pending.add_metric([], sum(s.get("pending", 0) + s.get("failed", 0)
                                   for s in by_status.values()))
        yield pending
        depth = GaugeMetricFamily("syndicate_queued_jobs", "Requested jobs not started yet.")
        depth.add_metric([], queued)
        yield depth
        states = GaugeMetricFamily("syndicate_translations", "Live articles per language "
                                   "and translation status.", labels=["language", "status"])
        for language, statuses in sorted(by_status.items()):
            for status, number in sorted(statuses.items()):
                states.add_metric([language, status], number)
        yield states
        pulls = CounterMetricFamily("syndicate_feed_pulls", "Pulls of named feeds.",
                                    labels=["partner", "feed"])
        unchanged = CounterMetricFamily("syndicate_feed_pulls_not_modified",
                                        "Pulls of named feeds answered 304.",
                                        labels=["partner", "feed"])
        by_label: dict[tuple[str, str], tuple[int, int]] = {}
        for feed, counted in self.svc.named_feeds.all():
            for p in counted:
                label = (p.partner, feed.name) if self.names else (
                    PRIVATE if p.partner != "public" else "public",
                    feed.name if feed.public else PRIVATE)
                requests, not_modified = by_label.get(label, (0, 0))
                by_label[label] = (requests + p.requests, not_modified + p.not_modified)
        for (partner, name), (requests, not_modified) in sorted(by_label.items()):
            pulls.add_metric([partner, name], requests)
            unchanged.add_metric([partner, name], not_modified)
        yield pulls
        yield unchanged
        sources = self.svc.sources.all()
        by_state = GaugeMetricFamily("syndicate_sources", "Upstream sources by state (failing: "
                                     "active, and its last poll failed).", labels=["state"])
        grouped = {"active": [s for s in sources if not s.paused],
                   "paused": [s for s in sources if s.paused and not s.flagged],
                   "flagged": [s for s in sources if s.flagged],
                   "failing": [s for s in sources if not s.paused and s.errors > 0]}
        for state, found in grouped.items():
            by_state.add_metric([state], len(found))
        yield by_state
        yield CounterMetricFamily("syndicate_source_entries_ingested",
                                  "Entries upstream sources brought (new or changed).",
                                  value=sum(s.entries_ingested for s in sources))


@bp.get("/metrics")
def metrics() -> Response:
    """Return metrics in the Prometheus text format. Behind SYNDICATE_METRICS_TOKEN they
    name partners and partner feeds; public, those are counted under "(private)"."""
    svc = service()
    expected = svc.settings.server.metrics_token
    if expected:
        sent = bearer(request.headers.get("Authorization", "")) or ""
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            raise Unauthenticated("send 'Authorization: Bearer <SYNDICATE_METRICS_TOKEN>'")
    registry = CollectorRegistry()
    registry.register(_StoreCollector(svc, names=bool(expected)))
    return Response(generate_latest(registry),
                    content_type="text/plain; version=0.0.4; charset=utf-8")
