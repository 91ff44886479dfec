"""Render feeds to bytes: RSS 2.0, Atom 1.0 (also RFC 5005 archive pages), JSON Feed 1.1.

Pure: no clock (the feed's updated time is its newest entry's), no disk, no database, no Flask.
Base documents come from feedgen; lxml adds what feedgen 1.0 lacks: xml:lang on Atom entries,
rel/hreflang on Atom entry links (dropped by feedgen, its issues #135/#143), non-self links in
RSS, the WebSub hub, RFC 5005 archive links, and the xml-stylesheet processing instruction.
"""

from __future__ import annotations

import html
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from feedgen.feed import FeedGenerator
from lxml import etree

from ..clock import rfc3339
from ..models import Image
from .entries import DISCLOSURE_SCHEME, FeedEntry, Tombstone

ATOM = "http://www.w3.org/2005/Atom"
FH = "http://purl.org/syndication/history/1.0"
TOMBSTONES = "http://purl.org/atompub/tombstones/1.0"  # RFC 6721
DCTERMS = "http://purl.org/dc/terms/"
MEDIA = "http://search.yahoo.com/mrss/"  # Media RSS
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_A = "{" + ATOM + "}"  # Clark notation prefix of Atom element names
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FEED_NAMESPACE = uuid.UUID("3b1f2f4e-0d7a-4b8e-8c55-6f1d2d9e7a21")


@dataclass(frozen=True)
class FeedMeta:
    """Everything about one language's feed that is not its entries."""

    language: str
    title: str
    description: str
    site_url: str
    rss_url: str
    atom_url: str
    json_url: str
    stylesheet_url: str
    author: str = "syndicate"  # the feed's own author: Atom needs one when an entry has none
    hub: str | None = None
    prev_archive: str | None = None  # the newest full archive page


@dataclass(frozen=True)
class ArchivePage:
    """An RFC 5005 archive document: its own URL and its neighbours."""

    url: str
    prev: str | None


def feed_id(language: str, archive: int | None = None) -> str:
    """Return the stable Atom id of a language's feed (or of one of its archive pages)."""
    name = f"feed/{language}" + (f"/archive/{archive}" if archive else "")
    return "urn:uuid:" + str(uuid.uuid5(_FEED_NAMESPACE, name))


def updated_of(entries: Sequence[FeedEntry], tombstones: Sequence[Tombstone] = ()) -> datetime:
    """Return the time the feed last changed: its newest entry's or retraction's."""
    return max([*(e.updated for e in entries), *(t.when for t in tombstones)], default=EPOCH)


def render_rss(meta: FeedMeta, entries: Sequence[FeedEntry],
               tombstones: Sequence[Tombstone] = ()) -> bytes:
    """Return an RSS 2.0 document (retracted entries as takedown items: same guid, a
    dcterms:valid period that has ended, and a newer dcterms:modified)."""
    fg = FeedGenerator()
    fg.load_extension("dc")
    fg.title(meta.title)
    fg.description(meta.description)
    fg.language(meta.language)
    fg.link(href=meta.rss_url, rel="self")
    fg.link(href=meta.site_url, rel="alternate")  # feedgen takes the last link() as <link>
    fg.lastBuildDate(updated_of(entries, tombstones))
    fg.generator("syndicate")
    for e in entries:
        fe = fg.add_entry(order="append")
        fe.guid(e.guid, permalink=False)
        fe.title(e.title)
        fe.link(href=e.link)
        # RSS readers decode <description> as HTML: escape the plain text once more, so a
        # summary that mentions "<img ...>" shows those characters instead of becoming a tag.
        fe.description(html.escape(e.summary or e.title, quote=False))
        fe.content(e.content_html)
        fe.pubDate(e.published)
        if e.author:
            fe.dc.dc_creator(e.author)
        if e.tag:  # an item in the feed's language under its own regional tag ("en-GB")
            fe.dc.dc_language(e.tag)
        for term in e.categories:
            fe.category(term=term)
        if e.disclosure:
            fe.category(term=e.disclosure, scheme=DISCLOSURE_SCHEME)
    root = etree.fromstring(fg.rss_str())
    channel = root.find("channel")
    assert channel is not None
    _feed_links(channel, meta, [])
    for item, e in zip(channel.findall("item"), entries, strict=True):
        # The other languages go before <link>: readers that keep the first link and readers
        # that keep the last (feedparser) both end on this language's own page.
        own = item.find("link")
        assert own is not None
        for language, url in e.alternates:
            own.addprevious(_atom_link(None, "alternate", url, hreflang=language,
                                       type_="text/html"))
        if e.canonical:
            _atom_link(item, "related", e.canonical, type_="text/html")
        if e.image:
            guid_el = item.find("guid")
            assert guid_el is not None  # the enclosure goes before guid, as RSS orders it
            guid_el.addprevious(_enclosure(e.image))
            item.append(_media(e.image))
    for t in tombstones:
        channel.append(_rss_takedown(t))
    return _serialize(root, meta.stylesheet_url)


def _media(image: Image) -> etree._Element:
    """Return Media RSS for an image: what it shows, whose it is, and a thumbnail."""
    content = etree.Element(f"{{{MEDIA}}}content", nsmap={"media": MEDIA}, url=image.url,
                            medium="image", type=image.type or _guess_type(image.url))
    if image.width and image.height:
        content.set("width", str(image.width))
        content.set("height", str(image.height))
    described = image.caption or image.alt
    if described:
        etree.SubElement(content, f"{{{MEDIA}}}description", type="plain").text = described
    if image.credit:
        etree.SubElement(content, f"{{{MEDIA}}}credit", role="photographer").text = image.credit
    etree.SubElement(content, f"{{{MEDIA}}}thumbnail", url=image.url)
    return content


def _enclosure(image: Image) -> etree._Element:
    # RSS 2.0 requires a length; 0 says "unknown" (the image is not downloaded to count it).
    return etree.Element("enclosure", url=image.url, length="0",
                         type=image.type or _guess_type(image.url))


_IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png",
                "gif": "image/gif", "webp": "image/webp", "avif": "image/avif",
                "svg": "image/svg+xml"}


def _guess_type(url: str) -> str:
    """Return the image type its URL's suffix says (no lookup on disk: this module is pure)."""
    suffix = url.split("?", 1)[0].rsplit("/", 1)[-1].rpartition(".")[2].lower()
    return _IMAGE_TYPES.get(suffix, "image/jpeg")


def _rss_takedown(t: Tombstone) -> etree._Element:
    item = etree.Element("item", nsmap={"dcterms": DCTERMS})
    etree.SubElement(item, "title").text = t.title
    etree.SubElement(item, "link").text = t.link
    etree.SubElement(item, "description").text = html.escape(
        f"Withdrawn: {t.reason}" if t.reason else "This article was withdrawn.", quote=False)
    etree.SubElement(item, "guid", isPermaLink="false").text = t.guid
    etree.SubElement(item, f"{{{DCTERMS}}}modified").text = rfc3339(t.when)
    etree.SubElement(item, f"{{{DCTERMS}}}valid").text = f"end={rfc3339(t.when)}; scheme=W3C-DTF"
    return item


def render_atom(meta: FeedMeta, entries: Sequence[FeedEntry],
                archive: ArchivePage | None = None, archive_number: int | None = None,
                tombstones: Sequence[Tombstone] = ()) -> bytes:
    """Return an Atom 1.0 document; with ``archive``, an RFC 5005 archive page; retracted
    entries as RFC 6721 deleted-entry elements."""
    fg = FeedGenerator()
    fg.id(feed_id(meta.language, archive_number))
    fg.title(meta.title)
    fg.subtitle(meta.description)
    fg.language(meta.language)
    fg.link(href=meta.site_url, rel="alternate")
    fg.link(href=archive.url if archive else meta.atom_url, rel="self")
    fg.updated(updated_of(entries, tombstones))
    fg.generator("syndicate")
    fg.author({"name": meta.author})  # RFC 4287: entries without an author inherit this one
    for e in entries:
        fe = fg.add_entry(order="append")
        fe.id(e.guid)
        fe.title(e.title)
        fe.updated(e.updated)
        fe.published(e.published)
        fe.link(href=e.link)
        if e.author:
            fe.author({"name": e.author})
        fe.content(e.content_html, type="html")
        if e.summary:
            fe.summary(e.summary)
        for term in e.categories:
            fe.category(term=term)
        if e.disclosure:
            fe.category(term=e.disclosure, scheme=DISCLOSURE_SCHEME, label=e.notice)
    root = etree.fromstring(fg.atom_str())
    if archive is None:
        _feed_links(root, meta, [])
    else:
        links = [("current", meta.atom_url)] + ([("prev-archive", archive.prev)]
                                                if archive.prev else [])
        _feed_links(root, meta, links, archived=True)
    for element, e in zip(root.findall(_A + "entry"), entries, strict=True):
        element.set(XML_LANG, e.tag or e.language)
        link = element.find(_A + "link")
        assert link is not None
        link.set("rel", "alternate")
        link.set("type", "text/html")
        link.set("hreflang", e.tag or e.language)
        for language, url in e.alternates:
            _atom_link(element, "alternate", url, hreflang=language, type_="text/html")
        if e.canonical:
            _atom_link(element, "related", e.canonical, type_="text/html")
        if e.image:
            _atom_link(element, "enclosure", e.image.url,
                       type_=e.image.type or _guess_type(e.image.url))
            element.append(_media(e.image))
    # RFC 4287's grammar puts extension elements before the first entry
    first = root.find(_A + "entry")
    for t in tombstones:
        deleted = etree.Element(f"{{{TOMBSTONES}}}deleted-entry", nsmap={"at": TOMBSTONES},
                                ref=t.guid, when=rfc3339(t.when))
        _atom_link(deleted, "alternate", t.link, type_="text/html")
        if t.reason:
            etree.SubElement(deleted, f"{{{TOMBSTONES}}}comment").text = t.reason
        if first is not None:
            first.addprevious(deleted)
        else:
            root.append(deleted)
    return _serialize(root, meta.stylesheet_url)


def render_json(meta: FeedMeta, entries: Sequence[FeedEntry],
                tombstones: Sequence[Tombstone] = ()) -> bytes:
    """Return a JSON Feed 1.1 document (retracted entries marked in a _syndicate object)."""
    feed: dict[str, object] = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": meta.title,
        "description": meta.description,
        "home_page_url": meta.site_url,
        "feed_url": meta.json_url,
        "language": meta.language,
        "authors": [{"name": meta.author}],
    }
    if meta.hub:
        feed["hubs"] = [{"type": "WebSub", "url": meta.hub}]
    feed["items"] = [
        {
            "id": e.guid, "url": e.link, **({"external_url": e.canonical} if e.canonical else {}),
            "title": e.title, "content_html": e.content_html, "summary": e.summary,
            "date_published": rfc3339(e.published), "date_modified": rfc3339(e.updated),
            **({"authors": [{"name": e.author}]} if e.author else {}),
            **({"tags": list(e.categories)} if e.categories else {}),
            **({"image": e.image.url} if e.image else {}),
            **({"_syndicate": {"machine_translated_from": e.translated_from,
                               "reviewed_by_a_person": e.reviewed}}
               if e.translated_from else {}),
            "language": e.tag or e.language,
        }
        for e in entries
    ] + [
        {"id": t.guid, "url": t.link, "title": t.title,
         "content_text": f"Withdrawn: {t.reason}" if t.reason else "This article was withdrawn.",
         "date_modified": rfc3339(t.when),
         "_syndicate": {"deleted": True, "when": rfc3339(t.when), "reason": t.reason}}
        for t in tombstones
    ]
    return json.dumps(feed, ensure_ascii=False, indent=2).encode() + b"\n"


def _feed_links(parent: etree._Element, meta: FeedMeta, extra: list[tuple[str, str]],
                archived: bool = False) -> None:
    """Insert hub and archive links right after the self link: Atom wants feed metadata
    before the first entry."""
    self_link = next(el for el in parent.iter(_A + "link") if el.get("rel") == "self")
    links = extra if archived else []
    if not archived and meta.prev_archive:
        links = [("prev-archive", meta.prev_archive)]
    if meta.hub and not archived:
        links = [("hub", meta.hub), *links]
    anchor = self_link
    for rel, href in links:
        link = _atom_link(None, rel, href)
        anchor.addnext(link)
        anchor = link
    if archived:
        marker = etree.Element("{" + FH + "}archive", nsmap={"fh": FH})
        anchor.addnext(marker)


def _atom_link(parent: etree._Element | None, rel: str, href: str, *,
               hreflang: str | None = None, type_: str | None = None) -> etree._Element:
    name = _A + "link"
    if parent is None:
        link = etree.Element(name, nsmap={"atom": ATOM})
    else:
        link = etree.SubElement(parent, name)
    link.set("rel", rel)
    link.set("href", href)
    if type_:
        link.set("type", type_)
    if hreflang:
        link.set("hreflang", hreflang)
    return link


def _serialize(root: etree._Element, stylesheet_url: str) -> bytes:
    etree.indent(root, space="  ")
    pi = etree.PI("xml-stylesheet", f'type="text/xsl" href="{stylesheet_url}"')
    body: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    return b"".join([b'<?xml version="1.0" encoding="UTF-8"?>\n', etree.tostring(pi), b"\n",
                     body, b"\n"])
