"""The translation runner: claim due work, translate it through the memory, store the result.

Work is claimed per language pair in batches under a lease (an owner and an expiry, renewed
while the batch runs), so any number of workers on any number of hosts share the queue and a
worker that dies gives its batch back when the lease expires. A batch that fails is split in
halves until only the articles that really fail are marked failed. In one process, one pass
runs at a time, with up to ``lanes`` language pairs at once (``lanes``). Unavailable work waits
outside the queue until the installed packages change.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path

from .. import leases
from ..clock import Clock
from ..errors import PairUnavailable, TranslationError
from ..models import (
    Article,
    Edit,
    Finding,
    ReviewMode,
    Route,
    TranslateReport,
    Translation,
    TranslationStatus,
)
from ..store import Store, counters, memory, requeue
from ..store import edits as edit_store
from ..store import feeds as feed_store
from ..store import translations as translation_store
from ..wakeups import Bell
from . import article as article_translation
from . import checks, lanes, markup, reuse
from . import glossary as glossary_file
from .engine import Translator
from .markup import Segment

log = logging.getLogger(__name__)
Item = tuple[Translation, Article]
BATCH_ARTICLES = 100  # articles claimed per language pair at a time
NORMS_SECONDS = 600  # how long a pair's length norms, learned from its memory, are kept


class TranslationRunner:
    """Translates due work in batches per language pair, under leases."""

    def __init__(self, store: Store, translator: Translator, glossary_path: Path,
                 lease_seconds: int, clock: Clock, role: str = "worker", *,
                 identify: checks.Identify, review: Callable[[str], ReviewMode],
                 confidence_warning: float | None = None, lanes: int = 1,
                 bell: Bell | None = None) -> None:
        self.store = store
        self.translator = translator
        self.identify = identify  # the language of a text, for the checks
        self.review = review  # the review mode of a target language
        self.confidence_warning = confidence_warning  # engine scores under it: a warning
        self._norms: dict[Route, tuple[float, checks.Norms]] = {}
        self.glossary_path = glossary_path
        self.lease = timedelta(seconds=lease_seconds)
        self.clock = clock
        self.owner = leases.new_owner(role)
        self.lanes = lanes  # language pairs translated at once
        self.bell = bell  # rung when work is queued: an idle lane looks again at once
        self._one_pass = threading.Lock()
        self._preparing = threading.Lock()
        self._fingerprint: str | None = None

    def run_pass(self, *, articles: Sequence[str] | None = None) -> TranslateReport:
        """Translate due work (all, or only these articles) until none is left to claim."""
        with self._one_pass:
            self._prepare()
            glossary = self._glossary()

            def work(keys: tuple[tuple[str, str], list[translation_store.Key]]
                     ) -> TranslateReport:
                with leases.heartbeat(self._renew, self.lease.total_seconds() / 3):
                    return self._work(*keys, glossary)

            report = lanes.run(self.lanes, self.bell, lambda busy: self._claim(articles, busy),
                               work, add, TranslateReport())
            if report != TranslateReport():
                log.info("translation pass: %s", report)
            return report

    def wait_for(self, article_ids: Sequence[str], languages: Sequence[str] | None,
                 poll: float = 0.5) -> TranslateReport:
        """Translate these articles here, and wait for any held by other workers."""
        report = self.run_pass(articles=article_ids)
        while True:
            with self.store.read() as session:
                left = translation_store.waiting(session, article_ids, languages)
            if not left:
                return report
            time.sleep(poll)  # another worker holds some under a lease: it finishes or expires
            report = add(report, self.run_pass(articles=article_ids))

    def until_idle(self, timeout: float, poll: float = 0.5) -> TranslateReport:
        """Translate what is due here, then wait while other workers hold work (a pass again
        after each), until none do or ``timeout`` seconds pass."""
        report = self.run_pass()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.store.read() as session:
                held = translation_store.held_elsewhere(session, self.owner)
            if not held:  # what was given back since the last pass is due now: take it
                return add(report, self.run_pass())
            time.sleep(poll)
            report = add(report, self.run_pass())
        return report

    def has_work(self) -> bool:
        """Say whether a pass would find work (noticing changed packages first)."""
        self._prepare()
        with self.store.read() as session:
            return translation_store.has_due(session, self.clock())

    def release(self) -> None:
        """Give back whatever this runner holds (on a clean shutdown)."""
        with self.store.write() as session:
            translation_store.release(session, self.owner)

    # claiming ---------------------------------------------------------------------------

    def _prepare(self) -> None:
        with self._preparing:
            if self._fingerprint is None:
                self._release_dead()
            self._requeue_if_packages_changed()

    def _claim(self, articles: Sequence[str] | None, busy: frozenset[tuple[str, str]]
               ) -> tuple[tuple[str, str],
                          tuple[tuple[str, str], list[translation_store.Key]]] | None:
        """Lease a batch of a pair no other lane here translates; None when there is none."""
        with self.store.write() as session:
            now = self.clock()
            claimed = translation_store.claim(session, self.owner, now, now + self.lease,
                                              BATCH_ARTICLES, articles, exclude=busy)
        if claimed is None or not claimed[1]:
            return None  # nothing due (or another worker is claiming that pair right now)
        return claimed[0], claimed


    def _renew(self) -> None:
        with self.store.write() as session:
            translation_store.renew(session, self.owner, self.clock() + self.lease)

    def _release_dead(self) -> None:
        """Give back at once the work of processes on this host that died holding it."""
        with self.store.read() as session:
            dead = [o for o in translation_store.owners(session) if leases.gone(o)]
        for owner in dead:
            with self.store.write() as session:
                translation_store.release(session, owner)
            log.warning("gave back the translations held by %s (its process is gone)", owner)

    def _requeue_if_packages_changed(self) -> None:
        fingerprint = self.translator.fingerprint()
        if fingerprint == self._fingerprint:
            return
        with self.store.write() as session:
            servable = [pair for pair in requeue.unavailable_pairs(session)
                        if self._servable(*pair)]
            moved = requeue.requeue_unavailable(session, servable)
            for source, target in requeue.reviewable_pairs(session):
                try:
                    route = self.translator.route(source, target)
                except PairUnavailable:
                    continue
                moved += requeue.requeue_reviewable(session, source, target,
                                                              route.engine, route.model)
        if moved:
            log.info("packages changed: %d unavailable, held or rejected translation(s) "
                     "queued again", moved)
        self._fingerprint = fingerprint

    def _servable(self, source: str, target: str) -> bool:
        try:
            self.translator.route(source, target)
        except PairUnavailable:
            return False
        return True

    # translating ------------------------------------------------------------------------

    def _work(self, pair: tuple[str, str], keys: list[translation_store.Key],
              glossary: glossary_file.Glossary) -> TranslateReport:
        with self.store.read() as session:
            items = translation_store.leased(session, self.owner, keys)
        try:
            route = self.translator.route(*pair)
        except PairUnavailable as exc:
            with self.store.write() as session:
                translation_store.mark(session, keys, TranslationStatus.UNAVAILABLE, str(exc),
                                       self.clock(), owner=self.owner)
            log.warning("%d article(s) unavailable: %s", len(keys), exc)
            return TranslateReport(unavailable=len(keys))
        return self._translate(route, items, glossary)

    def _translate(self, route: Route, items: list[Item],
                   glossary: glossary_file.Glossary) -> TranslateReport:
        """Translate and store items; on failure split them so only real failures fail."""
        target = route.target
        try:
            plans = {a.id: article_translation.plan(a, target, glossary) for _, a in items}
            segments = [s for p in plans.values() for s in p.segments()]
            forced = {s.key for t, a in items if t.force for s in plans[a.id].segments()}
            done = self.translate_segments(route, segments, forced=forced)
            assembled = {a.id: article_translation.assemble(a, plans[a.id], done.translations,
                                                            self._edits(a.id, target))
                         for _, a in items}
        except (TranslationError, markup.PlaceholderMismatch) as exc:
            if len(items) > 1:
                half = len(items) // 2
                log.warning("%s→%s: a batch of %d failed (%s); splitting it", route.source,
                            target, len(items), exc)
                return add(self._translate(route, items[:half], glossary),
                           self._translate(route, items[half:], glossary))
            with self.store.write() as session:
                translation_store.mark(session, [(items[0][1].id, target)],
                                       TranslationStatus.FAILED, str(exc), self.clock(),
                                       owner=self.owner)
            log.error("%s→%s failed for article %s: %s", route.source, target, items[0][1].id,
                      exc)
            return TranslateReport(failed=1)
        context = self._context(route, glossary)
        scored = {a.id: field_scores(plans[a.id], done.scores) for _, a in items}
        found = {a.id: checks.check(checks.article_fields(
            a, assembled[a.id].title, assembled[a.id].summary, assembled[a.id].blocks), context)
            + checks.confidence(scored[a.id], self.confidence_warning) for _, a in items}
        mode = self.review(target)
        saved: list[str] = []
        held = 0
        kept: list[Finding] = []
        with self.store.write() as session:
            feed_store.lock(session, [target])
            now = self.clock()
            # Oldest published first: each is numbered in the target's feed as it is stored,
            # and a feed shows the highest numbers on top.
            for _, article in sorted(items, key=lambda i: (i[1].published, i[1].id)):
                result, findings = assembled[article.id], found[article.id]
                stored = translation_store.save_done(
                    session, article.id, target, article.revision, title=result.title,
                    summary=result.summary, blocks=result.blocks, engine=route.engine,
                    model=route.model, now=now, owner=self.owner,
                    image_text=result.image_text, mode=mode, findings=findings,
                    confidence=min((s for *_, s in scored[article.id]), default=None),
                    human=result.human)
                if stored is None:
                    continue  # the article moved on, or the lease was lost: not done here
                hold = stored.status is TranslationStatus.HELD
                edit_store.mark_stale(session, result.stale_edits, now)
                if not hold:
                    feed_store.enter(session, target, article.id, article.published, now)
                saved.append(article.id)
                held += hold
                kept += findings
            # once for the batch: the feeds that show these, their archive rows (a
            # retranslation changes pages written before), and the counters
            if saved:
                feed_store.touch_articles(session, saved, also=[target])
                feed_store.mark_stale(session, saved)  # every language links to this one
            counters.bump(session, {**finding_counts(target, kept),
                                    "translations_done_total": len(saved) - held,
                                    "translations_held_total": held})
            counters.raise_to(session, memory_gauges(self.translator.memory(), route))
        return TranslateReport(done=len(saved) - held, segments=len({s.key for s in segments}),
                               memory_hits=done.memory_hits, translated=done.sent, held=held)

    def recheck(self, languages: Sequence[str], since: datetime | None
                ) -> list[tuple[Article, Translation]]:
        """Run the checks again over stored translations (as the engines' norms and the
        glossary are now) and store their findings; return each with its new findings."""
        glossary = self._glossary()
        with self.store.read() as session:
            found = translation_store.stored(session, languages, since)
        out = []
        for article, translation in found:
            route = Route(translation.engine or "", article.language, translation.language,
                          translation.model or "")
            findings = checks.check(checks.article_fields(
                article, translation.title, translation.summary, translation.blocks),
                self._context(route, glossary))
            if self.confidence_warning is not None:  # the engine's scores are not stored per
                findings += [f for f in translation.findings  # field: keep what they said
                             if f.check == "confidence"]
            with self.store.write() as session:
                translation_store.set_findings(session, article.id, translation.language,
                                               findings)
            out.append((article, dataclasses.replace(translation, findings=tuple(findings))))
        return out

    def _context(self, route: Route, glossary: glossary_file.Glossary) -> checks.Context:
        """Return the checks' context for a route: its norms (from its memory, refreshed every
        ten minutes) and the glossary's renderings for the target."""
        cached = self._norms.get(route)
        if cached is None or time.monotonic() - cached[0] > NORMS_SECONDS:
            with self.store.read() as session:
                cached = (time.monotonic(), checks.Norms.learn(memory.samples(session, route)))
            self._norms[route] = cached
        return checks.Context(route.source, route.target, self.identify, cached[1],
                              glossary.renderings(route.target))

    def translate_segments(self, route: Route, segments: Sequence[Segment], *,
                           forced: frozenset[str] | set[str] = frozenset()) -> reuse.Segments:
        """Translate segments through the memory (``forced`` keys bypass it)."""
        return reuse.translate(self.store, self.translator, self.clock, route, segments,
                               forced=forced)

    def _edits(self, article_id: str, language: str) -> list[Edit]:
        with self.store.read() as session:
            return edit_store.of(session, article_id, language)

    def _glossary(self) -> glossary_file.Glossary:
        """Read the glossary afresh for each pass; a missing file is an empty glossary."""
        path = self.glossary_path
        if not path.exists():
            return glossary_file.Glossary()
        return glossary_file.parse(path.read_text(encoding="utf-8"), str(path))


def add(a: TranslateReport, b: TranslateReport) -> TranslateReport:
    """Return the sum of two reports."""
    return TranslateReport(*(x + y for x, y in zip(dataclasses.astuple(a),
                                                   dataclasses.astuple(b), strict=True)))


def field_scores(plan: article_translation.ArticlePlan, scores: Mapping[str, float]
                 ) -> list[tuple[str, int | None, float]]:
    """Return (field, block, lowest engine score) for each field the engine scored."""
    fields = [("title", None, plan.title), *([("summary", None, plan.summary)]
                                             if plan.summary else []),
              *(("block", index, block) for index, block in enumerate(plan.blocks))]
    out = []
    for name, block, field_plan in fields:
        found = [scores[s.key] for s in field_plan.segments if s.key in scores]
        if found:
            out.append((name, block, min(found)))
    return out


def memory_gauges(memory: Mapping[str, tuple[int, int]], route: Route) -> dict[str, float]:
    """Return the peak-memory gauges of the models a route used, for ``status``."""
    out: dict[str, float] = {}
    for model in route.model.split(">"):
        if model in memory:
            out[f"model_loaded_bytes|{model}"], out[f"model_peak_bytes|{model}"] = memory[model]
    return out


def finding_counts(language: str, findings: Sequence[Finding]) -> dict[str, float]:
    """Return the metrics counters findings add, per check and severity."""
    out: dict[str, float] = {}
    for finding in findings:
        key = f"translation_findings_total|{finding.check}|{language}|{finding.severity.value}"
        out[key] = out.get(key, 0.0) + 1
    return out
