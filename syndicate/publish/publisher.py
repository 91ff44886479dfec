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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

from .. import languages
from ..clock import Clock
from ..config import FeedsSettings
from ..errors import Gone, NotFound
from ..models import Article, Block, FeedMode, NamedFeed, PublishReport, Translation
from ..store import Store, counters
from ..store import feeds as feed_store
from ..store import named_feeds as named_store
from . import entries as feed_entries
from . import jsonld, ninjs, notices, readiness, render, sitemaps, websub, writer
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
        self.public_url = public_url
        self.languages = languages
        self.translations_dir = translations_dir
        self.store = store
        self.clock = clock
        self._notices = notices.NoticeFile(feeds, translations_dir)

    def publish(self, only: Sequence[str] | None = None, *, force: bool = False
                ) -> PublishReport:
        """Publish the feeds that changed; ``force`` re-renders ``only`` (or every) language."""
        with self.store.lock("publish", timeout=300):
            return self._publish(set(only or self.languages), force)

    def pending(self) -> bool:
        """Say whether a feed waits to be published (cheap: one small query, a few stats)."""
        with self.store.read() as session:
            states = feed_store.states(session, self.languages)
        return any(self._due(state, force=False) for state in states.values())

    def _due(self, state: feed_store.FeedState, force: bool) -> bool:
        if state.next_seq == 0:
            return False  # nothing was ever publishable in this language
        return force or state.due(self.clock()) or self._missing_files(state.language)

    def _missing_files(self, language: str) -> bool:
        folder = self.feeds.feeds_dir / language
        return not all((folder / name).exists() for name in FEED_FILES)

    def _publish(self, wanted: set[str], force: bool) -> PublishReport:
        with self.store.read() as session:
            states = feed_store.states(session, self.languages)
        written: list[str] = []
        unchanged = 0
        counts: dict[str, int] = {}
        for lang in self.languages:
            state = states[lang]
            if lang not in wanted or not self._due(state, force):
                continue
            out = self._render(state, force)
            counts[lang] = out.entries
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
        with self.store.read() as session:
            named = named_store.all_feeds(session)
        private: set[str] = set()  # partner feeds: never named to the hub
        for feed in named:
            for lang in feed.languages:
                if lang not in counts:
                    continue  # its language feed did not change: neither did this one
                for name, data in self._render_named(feed, lang).items():
                    if writer.write_if_changed(self.feeds.feeds_dir / name, data,
                                               writer.check_for(name)):
                        written.append(name)
                        if not feed.public:
                            private.add(name)
                    else:
                        unchanged += 1
        if counts:  # a language feed changed: so may the sitemap index
            written += self._write_index()
        changed = [f"{self.public_url}/feeds/{name}" for name in written
                   if name.endswith(FEED_FILES[:3]) and name not in private]
        hub = self.feeds.websub_hub
        notified = websub.notify(hub, changed) if hub and changed else 0
        if written:
            with self.store.write() as session:
                counters.bump(session, {"feed_files_written_total": len(written)})
            log.info("published %d file(s): %s", len(written), ", ".join(written))
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
            shown = feed_store.newest(session, lang, size)
            retracted = feed_store.retracted_since(session, lang, now - keep) if keep else []
            archived = {p: feed_store.numbered(session, lang, (p - 1) * size + 1, p * size)
                        for p in pages}
            ids = [a.id for _, a, _ in shown] + [a.id for v in archived.values() for _, a, _ in v]
            available = feed_store.languages_of(session, ids)
        meta = self.feed_meta(lang, self._archive_url(lang, last) if last else None)
        entries = [self._entry(a, t, lang, available) for _, a, t in shown]
        tombstones = [feed_entries.tombstone(r.article_id, r.retracted, r.reason, lang,
                                             self.public_url) for r in retracted]
        recent = self._recent(lang, now)
        files = {
            f"{lang}/rss.xml": render.render_rss(meta, entries, tombstones),
            f"{lang}/atom.xml": render.render_atom(meta, entries, tombstones=tombstones),
            f"{lang}/feed.json": render.render_json(meta, entries, tombstones),
            f"{lang}/ninjs.json": ninjs.feed(meta, entries, tombstones),
        }
        if recent:  # the schema wants at least one URL: without any, there is no sitemap
            files[f"{lang}/news-sitemap.xml"] = sitemaps.news_sitemap(recent, meta.author, lang)
        for page, items in archived.items():
            prev = self._archive_url(lang, page - 1) if page > 1 else None
            files[f"{lang}/archive/{page}.xml"] = render.render_atom(
                meta, [self._entry(a, t, lang, available) for _, a, t in items],
                render.ArchivePage(self._archive_url(lang, page), prev), page)
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
                page = feed_store.headlines(session, lang, HEADLINES_PAGE, before)
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
                page = feed_store.newest(session, lang, 200, before)
                available = feed_store.languages_of(session, [a.id for _, a, _ in page])
            for _, article, translation in page:
                if (feed.categories and not set(feed.categories) & set(article.categories)) \
                        or (feed.producers and article.producer not in feed.producers):
                    continue
                entry = self._entry(article, translation, lang, available)
                if feed.reviewed_only and entry.translated_from and not entry.reviewed:
                    continue  # the partner takes no unreviewed machine translation
                if feed.mode is FeedMode.SUMMARY:
                    entry = feed_entries.summary_only(entry)
                elif feed.mode is FeedMode.BILINGUAL and translation is not None:
                    entry = feed_entries.bilingual(
                        entry, article.blocks,
                        tuple(Block(b.type, b.html, b.level, b.ordered)
                              for b in translation.blocks), article.language)
                picked.append(entry)
            if len(picked) >= feed.entries or len(page) < 200:
                break
            before = page[-1][0]
        picked = picked[:feed.entries]
        base = self.feed_meta(lang)
        url = f"{self.public_url}/feeds/{feed.name}/{lang}"
        meta = replace(base, title=f"{base.title}: {feed.name}", rss_url=f"{url}/rss.xml",
                       atom_url=f"{url}/atom.xml", json_url=f"{url}/feed.json",
                       prev_archive=None)
        renderers: dict[str, Callable[[render.FeedMeta, Sequence[FeedEntry]], bytes]] = {
            "rss.xml": render.render_rss, "atom.xml": render.render_atom,
            "feed.json": render.render_json}
        out: dict[str, bytes] = {}
        for name, render_with in renderers.items():
            data = render_with(meta, picked)
            if len(data) <= feed.max_bytes:  # the usual case: everything fits
                out[f"{feed.name}/{lang}/{name}"] = data
                continue
            # The partner's size cap: newest first, each entry that still fits (one that is
            # too big alone is left out, not everything after it), then a check of the whole.
            empty = len(render_with(meta, []))
            budget = feed.max_bytes - empty
            shown = []
            for entry in picked:
                cost = len(render_with(meta, [entry])) - empty
                if cost <= budget:
                    shown.append(entry)
                    budget -= cost
            data = render_with(meta, shown)
            while len(data) > feed.max_bytes and shown:
                shown.pop()
                data = render_with(meta, shown)
            out[f"{feed.name}/{lang}/{name}"] = data
        return out

    def rule_sets(self) -> list[readiness.RuleSet]:
        """Return the partners' rule sets: built in, and translations/partners/*.toml."""
        found: dict[str, tuple[str, str]] = {}
        for item in resources.files("syndicate.partners").iterdir():
            if item.name.endswith(".toml"):
                found[item.name.removesuffix(".toml")] = (item.read_text("utf-8"), item.name)
        own = self.translations_dir / "partners"
        for path in sorted(own.glob("*.toml")) if own.is_dir() else []:
            found[path.stem] = (path.read_text(encoding="utf-8"), str(path))
        return [readiness.parse(key, text, source)
                for key, (text, source) in sorted(found.items())]

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
                shown = feed_store.newest(session, lang, self.feeds.feed_entries)
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
                                  order, self.notices())

    def notices(self) -> feed_entries.Notices:
        """Return the disclosure lines (see notices.NoticeFile)."""
        return self._notices.get()
