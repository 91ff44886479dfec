"""News sitemaps (sitemaps.org protocol with Google's News extension), the index, robots.txt.

Pure: the caller gives the entries and the time. A language's news sitemap lists its articles
published in the last two days, at most 1,000 (Google News reads no more), newest first, each
with the publication's name and language, the publication date and the title (the other
languages of each article are named on its page, by hreflang links). The index lists every
language's sitemap; robots.txt names the index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from lxml import etree

from ..clock import rfc3339

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
WINDOW = timedelta(days=2)  # Google News: articles published in the last two days
MAX_URLS = 1000  # Google News: at most 1,000 <url> per news sitemap


@dataclass(frozen=True)
class NewsItem:
    """What a news sitemap says of one article: its page, title and times."""

    link: str
    title: str
    published: datetime
    updated: datetime


def recent(entries: Sequence[NewsItem], now: datetime) -> list[NewsItem]:
    """Return the entries a news sitemap lists at ``now``: the last two days', at most 1,000,
    newest first."""
    shown = [e for e in entries if now - WINDOW <= e.published <= now]
    return sorted(shown, key=lambda e: e.published, reverse=True)[:MAX_URLS]


def news_sitemap(entries: Sequence[NewsItem], publication: str, language: str) -> bytes:
    """Return a news sitemap of these entries."""
    root = etree.fromstring(f'<urlset xmlns="{SITEMAP}" xmlns:news="{NEWS}"/>'.encode())
    for e in entries:
        url = etree.SubElement(root, f"{{{SITEMAP}}}url")
        etree.SubElement(url, f"{{{SITEMAP}}}loc").text = e.link
        etree.SubElement(url, f"{{{SITEMAP}}}lastmod").text = rfc3339(e.updated)
        news = etree.SubElement(url, f"{{{NEWS}}}news")
        pub = etree.SubElement(news, f"{{{NEWS}}}publication")
        etree.SubElement(pub, f"{{{NEWS}}}name").text = publication
        etree.SubElement(pub, f"{{{NEWS}}}language").text = _news_language(language)
        etree.SubElement(news, f"{{{NEWS}}}publication_date").text = rfc3339(e.published)
        etree.SubElement(news, f"{{{NEWS}}}title").text = e.title
    return _serialize(root)


def index(sitemaps: Sequence[tuple[str, datetime | None]]) -> bytes:
    """Return a sitemap index of (URL, last modified) pairs."""
    root = etree.fromstring(f'<sitemapindex xmlns="{SITEMAP}"/>'.encode())
    for loc, modified in sitemaps:
        item = etree.SubElement(root, f"{{{SITEMAP}}}sitemap")
        etree.SubElement(item, f"{{{SITEMAP}}}loc").text = loc
        if modified is not None:
            etree.SubElement(item, f"{{{SITEMAP}}}lastmod").text = rfc3339(modified)
    return _serialize(root)


def robots(index_url: str | None) -> bytes:
    """Return robots.txt: everything may be crawled but the APIs and the dashboard; the
    sitemap index is named when there is one."""
    text = "User-agent: *\nDisallow: /api/\nDisallow: /admin/\n"
    return (text + (f"\nSitemap: {index_url}\n" if index_url else "")).encode()


def _news_language(language: str) -> str:
    """Return the language as Google News names it: ISO 639 codes, but zh-cn and zh-tw."""
    if language.lower().startswith("zh"):
        return "zh-tw" if language.lower() in ("zh-hant", "zh-tw", "zh-hk") else "zh-cn"
    return language.split("-")[0].lower()


def _serialize(root: etree._Element) -> bytes:
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"
