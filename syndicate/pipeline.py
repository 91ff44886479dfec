"""The one orchestrator: it alone knows the order ingest -> translate -> (render -> publish).

Web views, CLI commands and jobs call the pipeline; the stages never call each other.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock

from . import ingest, languages
from .config import Settings
from .errors import Conflict, NotFound, PairUnavailable, TranslationError, ValidationError
from .models import (
    Article,
    ArticleInput,
    Edit,
    EditInput,
    IngestOutcome,
    IngestResult,
    PublishReport,
    TranslateReport,
    Translation,
    TranslationStatus,
)
from .publish import entries as feed_entries
from .publish import render, websub, writer
from .publish.entries import FeedEntry
from .store import Store, counters, memory
from .store import articles as article_store
from .store import feeds as feed_store
from .store import translations as translation_store
from .timestamps import rfc3339, utc_now
from .translate import article as article_translation
from .translate import glossary as glossary_file
from .translate import markup
from .translate.engine import Route, Translator
from .translate.markup import Segment

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


class Pipeline:
    """Runs the stages in order against one store and one translation engine."""

    def __init__(self, settings: Settings, store: Store, translator: Translator,
                 clock: Clock = utc_now) -> None:
        self.settings = settings
        self.store = store
        self.translator = translator
        self.clock = clock

    @property
    def glossary_path(self) -> Path:
        """Return where the glossary is read from."""
        return self.settings.translations_dir / "glossary.toml"

    def _glossary(self) -> glossary_file.Glossary:
        """Read the glossary afresh for each pass; a missing file is an empty glossary."""
        path = self.glossary_path
        if not path.exists():
            return glossary_file.Glossary()
        return glossary_file.parse(path.read_text(encoding="utf-8"), str(path))

    def targets(self, article: Article) -> list[str]:
        """Return the languages an article is translated into."""
        return [lang for lang in self.settings.languages if lang != article.language]

    # ingest -----------------------------------------------------------------------------

    def parse(self, body: bytes, content_type: str | None, params: Mapping[str, Sequence[str]],
              guid_fallback: str | None = None) -> ArticleInput:
        """Parse a producer's payload with the service's defaults."""
        return ingest.parse_payload(body, content_type, params,
                                    default_language=self.settings.source_language,
                                    guid_fallback=guid_fallback)

    def ingest(self, data: ArticleInput, producer: str) -> IngestResult:
        """Store an article and ask for its translations, in one transaction."""
        for attempt in (1, 2):
            try:
                with self.store.write() as session:
                    now = self.clock()
                    result = article_store.upsert(session, data, producer, now)
                    counters.bump(session, {
                        "articles_ingested_total": result.outcome is IngestOutcome.CREATED,
                        "articles_updated_total": result.outcome is IngestOutcome.UPDATED})
                    if result.outcome is not IngestOutcome.UNCHANGED:
                        translation_store.request(session, result.article,
                                                  self.targets(result.article), now)
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

    def article(self, article_id: str) -> Article:
        """Return an article with the status of each of its translations."""
        with self.store.read() as session:
            article = article_store.get(session, article_id)
            return replace(article,
                           translations=translation_store.statuses(session, article_id))

    # publish ----------------------------------------------------------------------------

    def publish(self, only: Sequence[str] | None = None) -> PublishReport:
        """Render and write the feeds and full archive pages that changed (all languages, or
        only some: alternate links still cover every language)."""
        settings = self.settings
        with FileLock(settings.instance_dir / "publish.lock", timeout=300):
            return self._publish(set(only) if only else set(settings.languages))

    def _publish(self, only: set[str]) -> PublishReport:
        settings = self.settings
        size = settings.feed_entries
        found: dict[str, list[tuple[Article, Translation | None]]] = {}
        numbers: dict[str, dict[str, int]] = {}
        with self.store.write() as session:
            now = self.clock()
            for lang in settings.languages:
                items = sorted(feed_store.publishable(session, lang),
                               key=lambda item: (item[0].published, item[0].id))
                found[lang] = items
                numbers[lang] = feed_store.sequence(session, lang, [a.id for a, _ in items], now)
        available: dict[str, list[str]] = defaultdict(list)
        for lang, items in found.items():
            for article, _ in items:
                available[article.id].append(lang)
        written: list[str] = []
        unchanged = 0
        counts: dict[str, int] = {}
        changed_feeds: list[str] = []
        for lang in settings.languages:
            seq = numbers[lang]
            if not seq or lang not in only:
                continue  # nothing was ever published in this language, or not asked for
            by_id = {a.id: (a, t) for a, t in found[lang]}
            newest = sorted(found[lang], key=lambda item: seq[item[0].id], reverse=True)[:size]
            entries = [self._entry(a, t, lang, available) for a, t in newest]
            counts[lang] = len(entries)
            full_pages = max(seq.values()) // size
            meta = self.feed_meta(lang, self._archive_url(lang, full_pages) if full_pages
                                  else None)
            outputs = {
                f"{lang}/rss.xml": (render.render_rss(meta, entries), writer.check_xml),
                f"{lang}/atom.xml": (render.render_atom(meta, entries), writer.check_xml),
                f"{lang}/feed.json": (render.render_json(meta, entries), writer.check_json),
            }
            for page in range(1, full_pages + 1):
                name = f"{lang}/archive/{page}.xml"
                if (settings.feeds_dir / name).exists():
                    continue  # a full archive page never changes again
                with self.store.read() as session:
                    ids = feed_store.archived_ids(session, lang, (page - 1) * size + 1,
                                                  page * size)
                archived = [self._entry(*by_id[i], lang, available) for i in ids if i in by_id]
                prev = self._archive_url(lang, page - 1) if page > 1 else None
                document = render.render_atom(
                    meta, archived, render.ArchivePage(self._archive_url(lang, page), prev), page)
                outputs[name] = (document, writer.check_xml)
            for name, (data, check) in outputs.items():
                if writer.write_if_changed(settings.feeds_dir / name, data, check):
                    written.append(name)
                    if "/archive/" not in name:
                        changed_feeds.append(f"{settings.public_url}/feeds/{name}")
                else:
                    unchanged += 1
        notified = websub.notify(settings.websub_hub, changed_feeds) \
            if settings.websub_hub and changed_feeds else 0
        with self.store.write() as session:
            counters.bump(session, {"feed_files_written_total": len(written)})
        if written:
            log.info("published %d file(s): %s", len(written), ", ".join(written))
        return PublishReport(tuple(written), unchanged, counts, notified)

    def feed_meta(self, language: str, prev_archive: str | None = None) -> render.FeedMeta:
        """Return the metadata of a language's feed."""
        settings = self.settings
        name = languages.KNOWN[language].name
        base = f"{settings.public_url}/feeds/{language}"
        return render.FeedMeta(
            language=language,
            title=settings.feed_title.format(language=name, code=language),
            description=settings.feed_description.format(language=name, code=language),
            site_url=settings.public_url, rss_url=f"{base}/rss.xml",
            atom_url=f"{base}/atom.xml", json_url=f"{base}/feed.json",
            stylesheet_url=f"{settings.public_url}/feeds/feed.xsl", hub=settings.websub_hub,
            prev_archive=prev_archive)

    def _archive_url(self, language: str, page: int) -> str:
        return f"{self.settings.public_url}/feeds/{language}/archive/{page}.xml"

    def _entry(self, article: Article, translation: Translation | None, language: str,
               available: Mapping[str, list[str]]) -> FeedEntry:
        return feed_entries.entry(article, translation, language, self.settings.public_url,
                                  available[article.id])

    def published(self, article_id: str, language: str) -> FeedEntry:
        """Return an article as published in one language, or raise NotFound."""
        with self.store.read() as session:
            found = feed_store.versions(session, article_id)
        if found is None or language not in found[1]:
            raise NotFound(f"article {article_id!r} is not published in {language!r}")
        article, versions = found
        order = [lang for lang in self.settings.languages if lang in versions]
        return self._entry(article, versions[language], language, {article_id: order})

    def status(self) -> dict[str, Any]:
        """Return, per language: model, article counts by status, last publish, feed URLs."""
        settings = self.settings
        with self.store.read() as session:
            by_status = translation_store.counts(session)
            own = article_store.count_by_language(session)
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
                                for s in ("done", "pending", "failed", "unavailable")}},
                "last_publish": rfc3339(published),
                "feeds": {"rss": meta.rss_url, "atom": meta.atom_url, "json": meta.json_url},
            }
            if lang != settings.source_language:
                try:
                    route = self.translator.route(settings.source_language, lang)
                    entry["model"] = {"installed": True, "version": route.model}
                except PairUnavailable as exc:
                    entry["model"] = {"installed": False, "version": None, "detail": str(exc)}
            out.append(entry)
        return {"languages": out}

    # translate --------------------------------------------------------------------------

    def translate_pending(self, *, limit: int = 2000, articles: Sequence[str] | None = None,
                          force: bool = False) -> TranslateReport:
        """Translate due work, batching all articles of one language pair into one engine call;
        ``force`` skips the translation memory (never human post-edits)."""
        now = self.clock()
        with self.store.read() as session:
            work = translation_store.due(session, now, limit, articles)
        if not work:
            return TranslateReport()
        glossary = self._glossary()
        groups: dict[tuple[str, str], list[tuple[Translation, Article]]] = defaultdict(list)
        for translation, article in work:
            groups[(article.language, translation.language)].append((translation, article))
        report = TranslateReport()
        for (source, target), items in groups.items():
            report = _add(report, self._translate_pair(source, target, items, glossary, force))
        log.info("translation pass: %s", report)
        return report

    def _translate_pair(self, source: str, target: str,
                        items: list[tuple[Translation, Article]],
                        glossary: glossary_file.Glossary, force: bool) -> TranslateReport:
        keys = [(a.id, t.language) for t, a in items]
        try:
            route = self.translator.route(source, target)
        except PairUnavailable as exc:
            # Re-checked every pass so a newly installed package is used at once; only a change
            # of state is written and logged.
            new = [(a.id, t.language) for t, a in items
                   if (t.status, t.error) != (TranslationStatus.UNAVAILABLE, str(exc))]
            if new:
                with self.store.write() as session:
                    translation_store.mark(session, new, TranslationStatus.UNAVAILABLE,
                                           str(exc), self.clock())
                log.warning("%d article(s) unavailable: %s", len(new), exc)
            return TranslateReport(unavailable=len(keys))
        plans = {a.id: article_translation.plan(a, target, glossary) for _, a in items}
        segments = [s for p in plans.values() for s in p.segments()]
        try:
            translated, hits, sent = self.translate_segments(route, segments, force=force)
            assembled = {a.id: article_translation.assemble(a, plans[a.id], translated,
                                                            self._edits(a.id, target))
                         for _, a in items}
        except (TranslationError, markup.PlaceholderMismatch) as exc:
            with self.store.write() as session:
                translation_store.mark(session, keys, TranslationStatus.FAILED, str(exc),
                                       self.clock())
            log.error("%s→%s failed for %d article(s): %s", source, target, len(keys), exc)
            return TranslateReport(failed=len(keys))
        done = 0
        with self.store.write() as session:
            now = self.clock()
            for _, article in items:
                result = assembled[article.id]
                stored = translation_store.save_done(
                    session, article.id, target, article.revision, title=result.title,
                    summary=result.summary, blocks=result.blocks, engine=route.engine,
                    model=route.model, now=now)
                translation_store.mark_stale(session, result.stale_edits, now)
                done += stored
        unique = len({s.key for s in segments})
        return TranslateReport(done=done, segments=unique, memory_hits=hits, translated=sent)

    def translate_segments(self, route: Route, segments: Sequence[Segment], *,
                           force: bool = False) -> tuple[dict[str, str], int, int]:
        """Translate segments through the memory; return translations, hits, engine count."""
        unique = {s.key: s for s in segments}
        known: dict[str, str] = {}
        if not force:
            with self.store.read() as session:
                known = memory.lookup(session, route, list(unique))
        missing = [k for k in unique if k not in known]
        fresh = dict(zip(missing, self.translator.translate(route, missing), strict=True))
        sent = len(missing)
        damaged = [k for k, v in fresh.items() if not _placeholders_ok(unique[k], v)]
        if damaged:
            # The engine lost markup: translate the text between placeholders piece by piece.
            pieces = sorted({p for k in damaged for p in markup.pieces(unique[k])})
            with self.store.read() as session:
                piece_known = memory.lookup(session, route, pieces)
            piece_missing = [p for p in pieces if p not in piece_known]
            piece_fresh = dict(zip(piece_missing, self.translator.translate(route, piece_missing),
                                   strict=True))
            sent += len(piece_missing)
            for key in damaged:
                fresh[key] = markup.reassemble(unique[key], {**piece_known, **piece_fresh})
            fresh.update(piece_fresh)
            log.info("%d segment(s) lost placeholders; translated piecewise", len(damaged))
        with self.store.write() as session:
            memory.remember(session, route, fresh, self.clock(), replace=force)
            counters.bump(session, {"segments_translated_total": sent,
                                    "translation_memory_hits_total": len(known),
                                    "translation_memory_lookups_total": 0 if force
                                    else len(unique)})
        return {**known, **fresh}, len(known), sent

    def retranslate(self, article_ids: Sequence[str] | None, languages: Sequence[str] | None,
                    *, force: bool, progress: Callable[[int, int], None] | None = None,
                    chunk: int = 50) -> TranslateReport:
        """Translate articles again (all live ones when ids is None), then publish."""
        with self.store.write() as session:
            now = self.clock()
            ids = list(article_ids) if article_ids is not None else \
                article_store.live_ids(session)
            for article_id in ids:
                article = article_store.get(session, article_id)
                wanted = [lang for lang in self.targets(article)
                          if languages is None or lang in languages]
                translation_store.request(session, article, wanted, now, again=True)
        report = TranslateReport()
        for start in range(0, len(ids), chunk):
            part = ids[start:start + chunk]
            report = _add(report, self.translate_pending(articles=part, force=force))
            if progress:
                progress(min(start + chunk, len(ids)), len(ids))
        self.publish()
        return report

    def _edits(self, article_id: str, language: str) -> list[Edit]:
        with self.store.read() as session:
            return translation_store.edits(session, article_id, language)

    def translation(self, article_id: str, language: str) -> tuple[Article, Translation, list[
            Edit]]:
        """Return the article, its translation into language, and the post-edit history."""
        with self.store.read() as session:
            article = article_store.get(session, article_id)
            translation = translation_store.get(session, article_id, language)
            return article, translation, translation_store.edits(session, article_id, language)

    def post_edit(self, article_id: str, language: str, edit: EditInput, editor: str) -> None:
        """Store human post-edits; they win over every later machine pass of the same source."""
        with self.store.write() as session:
            article = article_store.get(session, article_id)
            if language not in self.targets(article):
                raise NotFound(f"article {article_id!r} is not translated into {language!r}")
            translation_store.get(session, article_id, language)
            hashes = article_translation.field_hashes(article)
            unknown = sorted(set(edit.fields) - set(hashes))
            if unknown:
                raise ValidationError.single(unknown[0], "the article has no such field")
            now = self.clock()
            fields = {name: (hashes[name], text) for name, text in edit.fields.items()}
            translation_store.add_edits(session, article_id, language, fields, editor, now)
            # A translation of the current revision shows the edits at once; an older or
            # pending one gets them at its next pass.
            translation_store.apply_edits(session, article_id, language, article.revision,
                                          edit.fields, now)
        log.info("article %s: %d field(s) post-edited in %s by %s", article_id,
                 len(edit.fields), language, editor)


def _placeholders_ok(seg: Segment, translated: str) -> bool:
    try:
        markup.check(seg, translated)
    except markup.PlaceholderMismatch:
        return False
    return True


def _add(a: TranslateReport, b: TranslateReport) -> TranslateReport:
    return TranslateReport(*(x + y for x, y in zip(
        (a.done, a.failed, a.unavailable, a.segments, a.memory_hits, a.translated),
        (b.done, b.failed, b.unavailable, b.segments, b.memory_hits, b.translated),
        strict=True)))

