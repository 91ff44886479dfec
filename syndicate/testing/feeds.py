"""Write upstream feed documents (RSS 0.91/1.0/2.0, Atom 1.0, JSON Feed 1.0/1.1) from plain
entries, for the tests and bench/ to serve."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr


@dataclass(frozen=True)
class Entry:
    """One upstream entry, as a test writes it."""

    guid: str
    title: str
    html: str
    link: str | None = None
    published: datetime = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    author: str | None = None
    categories: tuple[str, ...] = ()
    image: str | None = None
    image_credit: str | None = None
    language: str | None = None
    summary: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def rss20(entries: list[Entry], *, language: str | None = "en", ttl: int | None = None,
          title: str = "Upstream news") -> bytes:
    """Return an RSS 2.0 document with content:encoded and Media RSS."""
    items = []
    for e in entries:
        parts = [f"<title>{escape(e.title)}</title>", f"<guid isPermaLink='false'>"
                 f"{escape(e.guid)}</guid>",
                 f"<pubDate>{format_datetime(e.published, usegmt=True)}</pubDate>",
                 f"<description>{escape(e.summary or e.title)}</description>",
                 f"<content:encoded><![CDATA[{e.html}]]></content:encoded>"]
        if e.link:
            parts.append(f"<link>{escape(e.link)}</link>")
        if e.author:
            parts.append(f"<dc:creator>{escape(e.author)}</dc:creator>")
        parts += [f"<category>{escape(c)}</category>" for c in e.categories]
        if e.image:
            credit = f"<media:credit>{escape(e.image_credit)}</media:credit>" \
                if e.image_credit else ""
            parts.append(f"<media:content url={quoteattr(e.image)} medium='image' "
                         f"type='image/jpeg' width='1200' height='800'>{credit}</media:content>")
        items.append("<item>" + "".join(parts) + "</item>")
    head = f"<language>{language}</language>" if language else ""
    head += f"<ttl>{ttl}</ttl>" if ttl is not None else ""
    return (
        "<?xml version='1.0' encoding='utf-8'?>\n"
        "<rss version='2.0' xmlns:content='http://purl.org/rss/1.0/modules/content/' "
        "xmlns:dc='http://purl.org/dc/elements/1.1/' xmlns:media='http://search.yahoo.com/mrss/'>"
        f"<channel><title>{escape(title)}</title><link>https://upstream.example/</link>"
        f"<description>Test feed</description>{head}{''.join(items)}</channel></rss>"
    ).encode()


def rss091(entries: list[Entry]) -> bytes:
    """Return an RSS 0.91 document (description only, with the Netscape DOCTYPE)."""
    items = "".join(f"<item><title>{escape(e.title)}</title><link>{escape(e.link or '')}"
                    f"</link><description>{escape(e.html)}</description></item>"
                    for e in entries)
    return ("<?xml version='1.0'?>\n<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS "
            "0.91//EN\" \"http://my.netscape.com/publish/formats/rss-0.91.dtd\">\n"
            "<rss version='0.91'><channel><title>Old feed</title>"
            "<link>https://upstream.example/</link><description>d</description>"
            f"<language>en</language>{items}</channel></rss>").encode()


def rss10(entries: list[Entry]) -> bytes:
    """Return an RSS 1.0 (RDF) document."""
    items = "".join(
        f"<item rdf:about={quoteattr(e.link or e.guid)}><title>{escape(e.title)}</title>"
        f"<link>{escape(e.link or e.guid)}</link><description>{escape(e.html)}</description>"
        f"<dc:date>{e.published.isoformat()}</dc:date></item>" for e in entries)
    return ("<?xml version='1.0'?>\n<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-"
            "ns#' xmlns='http://purl.org/rss/1.0/' xmlns:dc='http://purl.org/dc/elements/1.1/'>"
            "<channel rdf:about='https://upstream.example/'><title>RDF feed</title>"
            "<link>https://upstream.example/</link><description>d</description>"
            f"<dc:language>en</dc:language></channel>{items}</rdf:RDF>").encode()


def atom(entries: list[Entry], *, language: str | None = "en") -> bytes:
    """Return an Atom 1.0 document with HTML content (xml:lang per entry when given)."""
    items = []
    for e in entries:
        lang = f" xml:lang={quoteattr(e.language)}" if e.language else ""
        parts = [f"<id>{escape(e.guid)}</id>", f"<title>{escape(e.title)}</title>",
                 f"<updated>{e.published.isoformat()}</updated>",
                 f"<content type='html'>{escape(e.html)}</content>"]
        if e.link:
            parts.append(f"<link rel='alternate' href={quoteattr(e.link)}/>")
        if e.author:
            parts.append(f"<author><name>{escape(e.author)}</name></author>")
        parts += [f"<category term={quoteattr(c)}/>" for c in e.categories]
        if e.image:
            parts.append(f"<link rel='enclosure' type='image/jpeg' href={quoteattr(e.image)}/>")
        items.append(f"<entry{lang}>" + "".join(parts) + "</entry>")
    lang = f" xml:lang={quoteattr(language)}" if language else ""
    return ("<?xml version='1.0' encoding='utf-8'?>\n"
            f"<feed xmlns='http://www.w3.org/2005/Atom'{lang}><title>Atom upstream</title>"
            "<id>urn:upstream</id><updated>2026-11-20T09:00:00Z</updated>"
            f"{''.join(items)}</feed>").encode()


def json_feed(entries: list[Entry], *, version: str = "1.1",
              language: str | None = "en") -> bytes:
    """Return a JSON Feed 1.0 or 1.1 document."""
    items = []
    for e in entries:
        item: dict[str, object] = {"id": e.guid, "title": e.title, "content_html": e.html,
                                   "date_published": e.published.isoformat()}
        if e.link:
            item["url"] = e.link
        if e.author:
            item["authors" if version == "1.1" else "author"] = \
                [{"name": e.author}] if version == "1.1" else {"name": e.author}
        if e.categories:
            item["tags"] = list(e.categories)
        if e.image:
            item["image"] = e.image
        if e.language and version == "1.1":
            item["language"] = e.language
        items.append(item)
    doc: dict[str, object] = {"version": f"https://jsonfeed.org/version/{version}",
                              "title": "JSON upstream", "items": items}
    if language and version == "1.1":
        doc["language"] = language
    return json.dumps(doc).encode()
