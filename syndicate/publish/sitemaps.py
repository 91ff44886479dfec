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
from xml.sax.saxutils import escape

from lxml import etree

from ..clock import rfc3339
from ..sanitize import xml_safe

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
    """Return a news sitemap of these entries (written as text: a thousand URLs through a
    tree builder cost 20 ms a language on every publish, and the writer parses the result)."""
    name = f"<news:name>{_text(publication)}</news:name>"
    lang = f"<news:language>{_news_language(language)}</news:language>"
    parts = ["<?xml version='1.0' encoding='UTF-8'?>\n",
             f'<urlset xmlns="{SITEMAP}" xmlns:news="{NEWS}">\n']
    for e in entries:
        parts.append(
            f"  <url>\n    <loc>{_text(e.link)}</loc>\n"
            f"    <lastmod>{rfc3339(e.updated)}</lastmod>\n"
            f"    <news:news>\n      <news:publication>{name}{lang}</news:publication>\n"
            f"      <news:publication_date>{rfc3339(e.published)}</news:publication_date>\n"
            f"      <news:title>{_text(e.title)}</news:title>\n    </news:news>\n  </url>\n")
    parts.append("</urlset>\n")
    return "".join(parts).encode()


def _text(value: str) -> str:
    """Return text fit for an XML element: escaped, without characters XML 1.0 forbids."""
    return escape(xml_safe(value))


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
