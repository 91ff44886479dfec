"""The publisher: render the feeds that changed, write them, tell the hub.

A publish costs the same at any archive size. It reads the feed state of each language (one
small query); a feed is rendered only when a change marked it (or a file of it is missing, as
on a new host, or an operator asked). Rendering reads just what is shown: the newest entries
by number and the languages those few articles exist in. A full archive page is written once,
when it fills, a bounded number per pass (oldest first) so a bulk import never makes one
publish long. Reads run in read transactions; the only write is the short one that records
what was published, so ingest never waits behind a publish.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from .. import languages
from ..clock import Clock
from ..config import FeedsSettings
from ..errors import Gone, NotFound, PublishError
from ..models import Article, NamedFeed, PublishReport, Translation
from ..store import Store, counters
from ..store import feeds as feed_store
from ..store import named_feeds as named_store
from . import entries as feed_entries
from . import (
    guarded,
    jsonld,
    links,
    named,
    ninjs,
    notices,
    readiness,
    render,
    sitemaps,
    websub,
    writer,
)
from .entries import FeedEntry

log = logging.getLogger(__name__)
NAMED_SCAN = 2000  # entries of a language feed a named feed's filter looks through, at most
PAGES_PER_PASS = 5  # archive pages written per language per publish, at most (oldest first)
STALE_PER_PASS = 20  # written pages that a retraction or correction changed, rewritten a pass
FEED_FILES = ("rss.xml", "atom.xml", "feed.json", "ninjs.json")
SITEMAP_FILE = "news-sitemap.xml"  # beside them while the language has news of two days
HEADLINES_PAGE = 100  # entries read at a time while gathering the last two days


@dataclass(frozen=True)
class Rendered:
    """One language's rendered files, and how far its archive then reaches."""

    files: dict[str, bytes]  # path under the feeds folder -> content
    entries: int  # in the subscription feeds
    pages: int  # full archive pages written once these files are
    backlog: bool  # full pages remain to be written by a later pass
    expires: datetime | None  # when these files go stale by themselves (a tombstone ends)
    cleared: tuple[tuple[int, int], ...] = ()  # stale marks these files answer


class Publisher:
    """Renders and writes each language's feeds and archive pages."""

    def __init__(self, feeds: FeedsSettings, store: Store, clock: Clock, *, public_url: str,
                 languages: tuple[str, ...], translations_dir: Path) -> None:
        self.feeds = feeds
        self.links = links.PublicUrl(store, public_url, languages)
        self.record = guarded.Recorder(store)
        self.public_url = public_url  # what links are written with: the instance's (refresh)
        self.languages = languages
        self.translations_dir = translations_dir
        self.store = store
        self.clock = clock
        self._notices = notices.NoticeFile(feeds, translations_dir)

    def publish(self, only: Sequence[str] | None = None, *, force: bool = False
                ) -> PublishReport:
        """Publish the feeds that changed; ``force`` re-renders ``only`` (or every) language."""
        with self.store.lock("publish", timeout=300):
            self.refresh()
            return self._publish(set(only or self.languages), force)

    def refresh(self) -> str:
        """Take the instance's public URL for the links written next (see links)."""
        self.public_url = self.links.current()
        return self.public_url

    def adopt(self) -> str | None:
        """Record this process's public URL as the instance's (see links.PublicUrl.adopt)."""
        previous = self.links.adopt()
        self.refresh()
        return previous

    def pending(self) -> bool:
        """Say whether a feed waits to be published (cheap: one small query, a few stats)."""
        with self.store.read() as session:
            states = feed_store.states(session, self.languages)
        return any(self._due(state, force=False) for state in states.values())

    def _due(self, state: feed_store.FeedState, force: bool) -> bool:
        if state.next_seq == 0:  # nothing numbered yet: due only when an embargo ended
            return state.expires is not None and state.expires <= self.clock()
        return force or state.due(self.clock()) or self._missing_files(state.language)

    def _missing_files(self, language: str) -> bool:
        folder = self.feeds.feeds_dir / language
        return not all((folder / name).exists() for name in FEED_FILES)

    def _publish(self, wanted: set[str], force: bool) -> PublishReport:
        """Publish each due language, then its named feeds and the index. A document that
        fails is recorded and the rest go on (a takedown in one language never waits on
        another's bad entry); the pass then raises PublishError naming what failed."""
        with self.store.read() as session:
            states = feed_store.states(session, self.languages)
        written: list[str] = []
        unchanged = 0
        counts: dict[str, int] = {}
        failed: dict[str, str] = {}
        for lang in self.languages:
            state = states[lang]
            if lang not in wanted or not self._due(state, force):
                continue
            try:
                out = self._render(state, force)
                for name, data in out.files.items():
                    if writer.write_if_changed(self.feeds.feeds_dir / name, data,
                                               writer.check_for(name)):
                        written.append(name)
                    else:
                        unchanged += 1
                if f"{lang}/{SITEMAP_FILE}" not in out.files and \
                        writer.remove(self.feeds.feeds_dir / lang / SITEMAP_FILE):
                    written.append(f"{lang}/{SITEMAP_FILE}")
                with self.store.write() as session:
                    # With archive pages still to write, the feed stays due for the next pass.
                    version = state.published_version if out.backlog else state.version
                    feed_store.mark_published(session, lang, version, out.pages, self.clock(),
                                              out.expires)
                    feed_store.clear_stale(session, lang, out.cleared)
                counts[lang] = out.entries
            except Exception as exc:  # noqa: BLE001 - one language's failure is recorded
                failed[lang] = self.record.failed(lang, exc)
        with self.store.read() as session:
            named = named_store.all_feeds(session)
        private: set[str] = set()  # partner feeds: never named to the hub
        for feed in named:
            for lang in feed.languages:
                if lang not in counts:
                    continue  # its language feed did not change: neither did this one
                try:
                    for name, data in self._render_named(feed, lang).items():
                        if writer.write_if_changed(self.feeds.feeds_dir / name, data,
                                                   writer.check_for(name)):
                            written.append(name)
                            if not feed.public:
                                private.add(name)
                        else:
                            unchanged += 1
                except Exception as exc:  # noqa: BLE001 - likewise one named feed's
                    failed[f"{feed.name}/{lang}"] = self.record.failed(f"{feed.name}/{lang}", exc)
        if counts:  # a language feed changed: so may the sitemap index
            try:
                written += self._write_index()
            except Exception as exc:  # noqa: BLE001 - and the index's
                failed["sitemap-index.xml"] = self.record.failed("sitemap-index.xml", exc)
        changed = [f"{self.public_url}/feeds/{name}" for name in written
                   if name.endswith(FEED_FILES[:3]) and name not in private]
        hub = self.feeds.websub_hub
        notified = websub.notify(hub, changed) if hub and changed else 0
        if written:
            with self.store.write() as session:
                counters.bump(session, {"feed_files_written_total": len(written)})
            log.info("published %d file(s): %s", len(written), ", ".join(written))
        if failed:
            raise PublishError("publishing failed for " + "; ".join(
                f"{what}: {why}" for what, why in failed.items()) + " (the rest was published)")
        return PublishReport(tuple(written), unchanged, counts, notified)

    def _render(self, state: feed_store.FeedState, force: bool) -> Rendered:
        """Return the files to write, the archive pages then written, and if more remain."""
        lang, size = state.language, self.feeds.feed_entries
        full = state.next_seq // size
        last = min(full, state.archived_pages + PAGES_PER_PASS)
        pages = list(range(state.archived_pages + 1, last + 1))
        if force:  # an operator's republish also restores written pages that went missing
            pages = [p for p in range(1, state.archived_pages + 1)
                     if not self._archive_path(lang, p).exists()] + pages
        with self.store.read() as session:
            marks = feed_store.stale(session, lang)
        # Pages written before that hold a retracted or corrected entry are written again
        # (a bounded number a pass); marks on pages not written yet need nothing more.
        changed = sorted({(seq - 1) // size + 1 for seq, _ in marks} - set(pages))
        rewrite = [p for p in changed if p <= state.archived_pages][:STALE_PER_PASS]
        pages = sorted({*pages, *rewrite})
        left = {p for p in changed if p <= state.archived_pages} - set(rewrite)
        cleared = tuple(m for m in marks if (m[0] - 1) // size + 1 not in left)
        now = self.clock()
        keep = timedelta(days=self.feeds.tombstone_days)
        with self.store.read() as session:
            held = feed_store.next_release(session, lang)
        if held is not None and held <= now:  # embargoes that ended: number those entries
            with self.store.write() as session:
                feed_store.lock(session)
                feed_store.release(session, lang, now)
                held = feed_store.next_release(session, lang)
        with self.store.read() as session:
            shown = feed_store.newest(session, lang, size, now)
            retracted = feed_store.retracted_since(session, lang, now - keep) if keep else []
            archived = {p: feed_store.numbered(session, lang, (p - 1) * size + 1, p * size,
                                                    now)
                        for p in pages}
            ids = [a.id for _, a, _ in shown] + [a.id for v in archived.values() for _, a, _ in v]
            available = feed_store.languages_of(session, ids)
        meta = self.feed_meta(lang, self._archive_url(lang, last) if last else None)
        entries = [self._entry(a, t, lang, available) for _, a, t in shown]
        tombstones = [feed_entries.tombstone(r.article_id, r.retracted, r.reason, lang,
                                             self.public_url) for r in retracted]
        recent = self._recent(lang, now)
        files = self.record.guarded(lambda kept: {
            f"{lang}/rss.xml": render.render_rss(meta, kept, tombstones),
            f"{lang}/atom.xml": render.render_atom(meta, kept, tombstones=tombstones),
            f"{lang}/feed.json": render.render_json(meta, kept, tombstones),
            f"{lang}/ninjs.json": ninjs.feed(meta, kept, tombstones)}, entries)
        if recent:  # the schema wants at least one URL: without any, there is no sitemap
            files[f"{lang}/news-sitemap.xml"] = sitemaps.news_sitemap(recent, meta.author, lang)
        for page, items in archived.items():
            prev = self._archive_url(lang, page - 1) if page > 1 else None
            archive = render.ArchivePage(self._archive_url(lang, page), prev)
            files[f"{lang}/archive/{page}.xml"] = self.record.guarded(
                partial(_archive_page, meta, archive, page),
                [self._entry(a, t, lang, available) for _, a, t in items])
        expires = min([*(r.retracted + keep for r in retracted), *([held] if held else []),
                       *([recent[-1].published + sitemaps.WINDOW] if recent else [])],
                      default=None)  # the sitemap's oldest entry ages out then
        return Rendered(files, len(entries), last, last < full or bool(left), expires, cleared)

    def _recent(self, lang: str, now: datetime) -> list[sitemaps.NewsItem]:
        """Return what the news sitemap lists: the newest entries of the last two days (at
        most 1,000), read as headlines only, a page at a time until a page is older, so a
        publish costs the same at any archive size."""
        found: list[sitemaps.NewsItem] = []
        before: int | None = None
        while len(found) < sitemaps.MAX_URLS:
            with self.store.read() as session:
                page = feed_store.headlines(session, lang, HEADLINES_PAGE, now, before)
            items = sitemaps.recent([sitemaps.NewsItem(
                feed_entries.page_url(self.public_url, article_id, lang), title, published,
                updated) for _, article_id, title, published, updated in page], now)
            found += items
            if not items or len(page) < HEADLINES_PAGE:
                break  # numbered in publication order, near enough: what is older is older
            before = page[-1][0]
        return sitemaps.recent(found, now)

    def _write_index(self) -> list[str]:
        """Write the sitemap index of every language's news sitemap, and robots.txt."""
        listed = []
        for lang in self.languages:
            path = self.feeds.feeds_dir / lang / SITEMAP_FILE
            if path.exists():
                listed.append((f"{self.public_url}/sitemaps/{lang}.xml",
                               datetime.fromtimestamp(path.stat().st_mtime, UTC)))
        index = self.feeds.feeds_dir / "sitemap-index.xml"
        written = ["sitemap-index.xml"] if not listed and writer.remove(index) else []
        files = {"robots.txt": sitemaps.robots(
            f"{self.public_url}/sitemaps/index.xml" if listed else None)}
        if listed:
            files["sitemap-index.xml"] = sitemaps.index(listed)
        for name, data in files.items():
            if writer.write_if_changed(self.feeds.feeds_dir / name, data,
                                       writer.check_for(name)):
                written.append(name)
        return written

    def _render_named(self, feed: NamedFeed, lang: str) -> dict[str, bytes]:
        """Render one named feed in one language: filtered, in its mode, under its size cap."""
        picked: list[FeedEntry] = []
        before: int | None = None
        for _ in range(NAMED_SCAN // 200):  # a bounded look back through the language feed
            with self.store.read() as session:
                page = feed_store.newest(session, lang, 200, self.clock(), before)
                available = feed_store.languages_of(session, [a.id for _, a, _ in page])
            picked += [shaped for _, article, translation in page
                       if (shaped := named.shape(feed, article, translation, self._entry(
                           article, translation, lang, available))) is not None]
            if len(picked) >= feed.entries or len(page) < 200:
                break
            before = page[-1][0]
        picked = picked[:feed.entries]
        base = self.feed_meta(lang)
        url = f"{self.public_url}/feeds/{feed.name}/{lang}"
        meta = replace(base, title=f"{base.title}: {feed.name}", rss_url=f"{url}/rss.xml",
                       atom_url=f"{url}/atom.xml", json_url=f"{url}/feed.json",
                       prev_archive=None)
        def files(kept: Sequence[FeedEntry]) -> dict[str, bytes]:
            return {f"{feed.name}/{lang}/{name}": named.fit(render_with, meta, kept,
                                                             feed.max_bytes)
                    for name, render_with in named.RENDERERS.items()}

        return self.record.guarded(files, picked)

    def rule_sets(self) -> list[readiness.RuleSet]:
        """Return the partners' rule sets: built in, and translations/partners/*.toml."""
        return readiness.load(self.translations_dir / "partners")

    def check(self, partner: str | None = None) -> list[readiness.Finding]:
        """Return what each partner (or one) would reject in the feeds as published now."""
        sets = [r for r in self.rule_sets() if partner in (None, r.key)]
        if partner is not None and not sets:
            known = ", ".join(r.key for r in self.rule_sets())
            raise NotFound(f"no partner rule set {partner!r}; known: {known}")
        now = self.clock()
        out: list[readiness.Finding] = []
        for lang in self.languages:
            with self.store.read() as session:
                shown = feed_store.newest(session, lang, self.feeds.feed_entries, now)
                available = feed_store.languages_of(session, [a.id for _, a, _ in shown])
            entries = [self._entry(a, t, lang, available) for _, a, t in shown]
            for rules in sets:
                out += readiness.check_entries(rules, lang, entries, now)
                for name in ("rss.xml", "atom.xml"):
                    path = self.feeds.feeds_dir / lang / name
                    if path.exists():
                        out += readiness.check_feed(rules, lang, name, path.stat().st_size,
                                                    len(entries))
        return out

    def feed_meta(self, language: str, prev_archive: str | None = None) -> render.FeedMeta:
        """Return the metadata of a language's feed."""
        name = languages.KNOWN[language].name
        base = f"{self.public_url}/feeds/{language}"
        return render.FeedMeta(
            language=language,
            title=self.feeds.feed_title.format(language=name, code=language),
            description=self.feeds.feed_description.format(language=name, code=language),
            site_url=self.public_url, rss_url=f"{base}/rss.xml",
            atom_url=f"{base}/atom.xml", json_url=f"{base}/feed.json",
            stylesheet_url=f"{self.public_url}/feeds/feed.xsl", hub=self.feeds.websub_hub,
            prev_archive=prev_archive,
            author=self.feeds.feed_author or urlsplit(self.public_url).hostname
            or "syndicate")

    def published(self, article_id: str, language: str) -> FeedEntry:
        """Return an article as published in one language; Gone when it was retracted,
        NotFound when it never was."""
        self.refresh()
        with self.store.read() as session:
            found = feed_store.versions(session, article_id)
            if found is None and feed_store.was_retracted(session, article_id, language):
                raise Gone(f"article {article_id!r} was retracted")
        if found is None or language not in found[1] or found[0].published > self.clock():
            raise NotFound(f"article {article_id!r} is not published in {language!r}")
        article, versions = found
        return self._entry(article, versions[language], language, {article_id: set(versions)})

    def robots(self) -> bytes:
        """Return robots.txt as the publisher writes it before any sitemap exists."""
        return sitemaps.robots(None)

    def json_ld(self, entry: FeedEntry) -> str:
        """Return the schema.org NewsArticle of a published entry, ready for its page."""
        meta = self.feed_meta(entry.language)
        return jsonld.script(jsonld.news_article(entry, meta.author, meta.site_url))

    def ninjs(self, article_id: str, language: str) -> bytes:
        """Return a published article in one language as an IPTC ninjs document."""
        return ninjs.document(self.published(article_id, language))

    def _archive_path(self, language: str, page: int) -> Path:
        return self.feeds.feeds_dir / language / "archive" / f"{page}.xml"

    def _archive_url(self, language: str, page: int) -> str:
        return f"{self.public_url}/feeds/{language}/archive/{page}.xml"

    def _entry(self, article: Article, translation: Translation | None, language: str,
               available: Mapping[str, set[str]]) -> FeedEntry:
        order = [lang for lang in self.languages if lang in available[article.id]]
        return feed_entries.entry(article, translation, language, self.public_url,
                                  order, self.notices(), self.feeds.reviewer_name)

    def notices(self) -> feed_entries.Notices:
        """Return the disclosure lines (see notices.NoticeFile)."""
        return self._notices.get()


def _archive_page(meta: render.FeedMeta, page: render.ArchivePage, number: int,
                  entries: Sequence[FeedEntry]) -> bytes:
    return render.render_atom(meta, entries, page, number)
