"""Parse an upstream feed (RSS 0.9x/1.0/2.0, Atom, JSON Feed 1.0/1.1) into ArticleInputs.

Pure: bytes in, values out. RSS and Atom go through feedparser, JSON Feed through our own
reader (``jsonfeed``). Each entry is shaped like a JSON article and validated by the same code
(``payload.parse_entry``): full content (``content:encoded``, Atom ``content``, JSON
``content_html``) or else the summary, through the HTML→blocks parser and the sanitizer. A
document that is not well-formed, or that declares entities in a DTD (XXE, billion laughs),
is refused whole: nothing of it is taken.
"""

from __future__ import annotations

import calendar
import hashlib
import html.entities
import re
import time
import xml.sax
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import feedparser

from .. import languages
from ..clock import rfc3339
from ..errors import FeedInvalid, InputError, ValidationError
from ..models import ArticleInput
from ..sanitize import plain_field
from . import fields, jsonfeed, xmlscan
from .payload import HTML, TEXT, parse_entry

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_BENIGN = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)


@dataclass(frozen=True)
class FeedDocument:
    """What a feed holds: its entries (newest first, up to a limit) and what was left out."""

    kind: str  # rss20, atom10, json11, ...
    title: str | None
    language: str | None  # the feed's own language tag, when it states a known one
    ttl_minutes: int | None
    entries: tuple[ArticleInput, ...]
    total: int  # entries in the document
    skipped: tuple[str, ...] = ()  # entries that could not be taken, and why
    duplicates: int = 0  # entries whose guid came earlier in the document
    warning: str | None = None  # what was wrong with the document but could be read round
    cut: bool = False  # the document had more entries than were read (``total`` of them)

    def note(self) -> str | None:
        """Return one line on what was left out, or None when everything was taken."""
        parts = [self.warning] if self.warning else []
        if self.cut:
            parts.append(f"the document has more than {self.total} entries: the first "
                         f"{self.total} were read and the newest "
                         f"{len(self.entries) + len(self.skipped)} of them taken")
        elif self.total > len(self.entries) + len(self.skipped) + self.duplicates:
            parts.append(f"the newest {len(self.entries) + len(self.skipped)} of "
                         f"{self.total} entries were read")
        if self.duplicates:
            parts.append(f"{self.duplicates} entries repeated an earlier guid and were ignored")
        if self.skipped:
            parts.append(f"{len(self.skipped)} entries skipped: {'; '.join(self.skipped[:3])}")
        return "; ".join(parts) or None


RAW_FACTOR = 4  # entries read before sorting, as a multiple of the entries kept


def parse_feed(body: bytes, content_type: str | None, *, default_language: str,
               limit: int) -> FeedDocument:
    """Parse a feed document; raise FeedInvalid when it is not one we can read safely.
    At most ``RAW_FACTOR * limit`` entries are read, in document order; the newest ``limit``
    of them are kept."""
    cap = RAW_FACTOR * limit
    head = body.lstrip()[:1]
    if head in (b"{", b"[") or (content_type or "").split(";")[0].strip().endswith("json"):
        raw = jsonfeed.read(body, cap)
        return _document(raw, default_language, limit)
    stripped = body.lstrip()
    repaired = stripped.startswith(b"<?xml") and len(stripped) < len(body)  # text before it
    data, encoding_note = _utf8(stripped if repaired else body)
    try:
        scanned = xmlscan.scan(data, cap)
    except xmlscan.NotWellFormed as first:
        mended = _repaired(data)
        try:
            scanned = xmlscan.scan(mended if mended is not None else data, cap)
        except xmlscan.NotWellFormed:
            raise FeedInvalid(f"not well-formed XML {first}") from None
        repaired = True
    parsed = _strict(scanned.data)
    problem = parsed.get("bozo_exception")
    if parsed.get("bozo") and not isinstance(problem, _BENIGN):
        raise FeedInvalid(f"not well-formed XML{_where(problem)}")
    if not parsed.get("version"):
        raise FeedInvalid("not an RSS, Atom or JSON feed")
    feed = parsed.get("feed", {})
    raw = {
        "kind": parsed["version"], "title": feed.get("title"),
        "language": feed.get("language"), "ttl": feed.get("ttl"), "cut": scanned.cut,
        "entries": [_from_feedparser(e) for e in parsed.get("entries", [])],
    }
    document = _document(raw, default_language, limit)
    warnings = []
    if repaired:
        warnings.append("the document is not well-formed XML (undefined HTML entities, bare "
                        "ampersands or text before the XML declaration); read once repaired")
    if encoding_note:
        warnings.append(encoding_note)
    return replace(document, warning="; ".join(warnings) or None)


def _utf8(body: bytes) -> tuple[bytes, str | None]:
    """Return the document in UTF-8, decoded as feedparser would (declared, sniffed, then
    guessed), and a note when the declared encoding was wrong."""
    result: dict[str, Any] = {}
    data = feedparser.encodings.convert_to_utf8({}, body, result)
    problem = result.get("bozo_exception")
    if not result.get("encoding"):
        raise FeedInvalid(f"the document's character encoding cannot be read: {problem}")
    if isinstance(problem, feedparser.CharacterEncodingOverride):
        return data, str(problem).replace("document ", "the document is ")
    return data, None


def _strict(body: bytes) -> Any:
    return feedparser.parse(body, sanitize_html=True, resolve_relative_uris=True)


def _where(problem: object) -> str:
    if isinstance(problem, xml.sax.SAXParseException):
        return (f" at line {problem.getLineNumber()} column {problem.getColumnNumber()}: "
                f"{problem.getMessage()}")
    return f": {problem}"


_NAMED = re.compile(rb"&(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{0,31};)?")
_XML_NAMED = frozenset({b"amp;", b"lt;", b"gt;", b"quot;", b"apos;"})


def _repaired(body: bytes) -> bytes | None:
    """Mend what real feeds often get wrong, as miniflux does: text before the XML
    declaration, HTML entities XML does not define (&nbsp;), bare ampersands. Only for
    ASCII-compatible encodings (no UTF-16/32); None when the document is not one."""
    bom = b"\xef\xbb\xbf" if body.startswith(b"\xef\xbb\xbf") else b""
    text = body[len(bom):]
    if b"\x00" in text[:4096] or text.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None

    def mend(match: re.Match[bytes]) -> bytes:
        tail = match.group(1)
        if tail is None:
            return b"&amp;"  # a bare ampersand
        if tail.startswith(b"#") or tail in _XML_NAMED:
            return match.group(0)
        code = html.entities.name2codepoint.get(tail[:-1].decode("ascii"))
        return b"&#%d;" % code if code is not None else b"&amp;" + tail

    return bom + _NAMED.sub(mend, text.lstrip())


def _from_feedparser(entry: dict[str, Any]) -> dict[str, Any]:
    """Shape a feedparser entry like jsonfeed's raw entries."""
    content = _best_content(entry.get("content") or [])
    summary = entry.get("summary_detail") or {}
    body, kind, lang = None, HTML, None
    if content is not None:
        body = content.get("value")
        kind = HTML if content.get("type", "text/html") in _HTML_TYPES else TEXT
        lang = content.get("language")
    if not body and entry.get("summary"):
        body = entry.get("summary")
        kind = HTML if summary.get("type", "text/html") in _HTML_TYPES else TEXT
    lang = lang or summary.get("language") or (entry.get("title_detail") or {}).get("language")
    return {
        "id": entry.get("id"), "link": entry.get("link"), "title": entry.get("title"),
        "body": body, "format": kind,
        "summary": entry.get("summary") if content is not None else None,
        "author": entry.get("author"),
        "categories": [t.get("term") or t.get("label") for t in entry.get("tags") or []],
        "published": _stamp(dict.get(entry, "published_parsed")),
        # dict.get: feedparser's own get() maps a missing "updated" to "published", warning
        "updated": _stamp(dict.get(entry, "updated_parsed")),
        "image": _image(entry), "language": lang,
    }


def _best_content(contents: list[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """Return the fullest content, preferring HTML (content:encoded, Atom content)."""
    if not contents:
        return None
    return max(contents, key=lambda c: (c.get("type") in _HTML_TYPES, len(c.get("value", ""))))


def _image(entry: Mapping[str, Any]) -> dict[str, Any] | None:
    """Return the lead image from Media RSS, an image enclosure, or a thumbnail."""
    for media in entry.get("media_content") or []:
        if media.get("url") and (media.get("medium") == "image"
                                 or str(media.get("type", "")).startswith("image/")):
            return {"url": media["url"], "credit": _credit(entry),
                    "width": media.get("width"), "height": media.get("height"),
                    "type": media.get("type")}
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/"):
            return {"url": link.get("href"), "type": link.get("type")}
    for thumb in entry.get("media_thumbnail") or []:
        if thumb.get("url"):
            return {"url": thumb["url"], "width": thumb.get("width"),
                    "height": thumb.get("height")}
    return None


def _credit(entry: Mapping[str, Any]) -> str | None:
    credit = entry.get("media_credit")
    if isinstance(credit, list) and credit:
        return str(credit[0].get("content") or "") or None
    return None


def _stamp(parsed: time.struct_time | None) -> datetime | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _document(raw: Mapping[str, Any], default_language: str, limit: int) -> FeedDocument:
    """Validate the raw entries (newest first, up to limit) into ArticleInputs."""
    feed_language = _language(raw.get("language"))
    entries: list[ArticleInput] = []
    skipped: list[str] = []
    seen: set[str] = set()
    duplicates = 0
    items = list(raw["entries"])
    ordered = sorted(enumerate(items), key=lambda pair: (
        -(_when(pair[1]) or 0), pair[0]))
    for index, item in ordered:
        guid = _guid(item)
        if guid is not None and guid in seen:
            duplicates += 1
            continue
        if len(entries) + len(skipped) >= limit:
            continue
        if guid is None:
            skipped.append(f"entry {index + 1} has neither an id nor a link")
            continue
        seen.add(guid)
        lang = _language(item.get("language")) or feed_language
        try:
            entries.append(parse_entry(_shaped(item, guid, lang), kind=item.get("format", HTML),
                                       default_language=default_language))
        except ValidationError as exc:
            first = exc.problems[0]
            skipped.append(f"entry {guid!r}: {first.field} {first.detail}")
        except InputError as exc:
            skipped.append(f"entry {guid!r}: {exc}")
    return FeedDocument(kind=str(raw.get("kind") or ""), title=_title(raw.get("title")),
                        language=feed_language, ttl_minutes=_ttl(raw.get("ttl")),
                        entries=tuple(entries), total=len(items), skipped=tuple(skipped),
                        duplicates=duplicates, cut=bool(raw.get("cut")))


def _shaped(item: Mapping[str, Any], guid: str, language: str | None) -> dict[str, Any]:
    """Return the entry as a JSON article, cut to the API's limits rather than dropped."""
    shaped: dict[str, Any] = {"guid": guid, "body": item.get("body") or ""}
    if isinstance(item.get("title"), str) and plain_field(item["title"]):
        shaped["title"] = fields.cut(plain_field(item["title"]), fields.MAX_TITLE)
    if isinstance(item.get("summary"), str) and plain_field(item["summary"]):
        shaped["summary"] = fields.cut(plain_field(item["summary"]), fields.MAX_SUMMARY)
    if isinstance(item.get("author"), str) and plain_field(item["author"]):
        shaped["author"] = fields.cut(plain_field(item["author"]), fields.MAX_AUTHOR)
    link = fields.link(item.get("link"), "link", fields.Problems())  # a bad one is dropped
    if link:
        shaped["link"] = link
    labels = [plain_field(c)[: fields.MAX_CATEGORY] for c in item.get("categories") or []
              if isinstance(c, str) and plain_field(c)]
    if labels:
        shaped["categories"] = list(dict.fromkeys(labels))[: fields.MAX_CATEGORIES]
    for key in ("published", "updated"):
        moment = item.get(key)
        if isinstance(moment, datetime) and moment >= fields.EARLIEST:
            shaped[key] = rfc3339(moment)
    image = item.get("image")
    if isinstance(image, dict) and isinstance(image.get("url"), str):
        shaped["image"] = _image_fields(image)
    if language:
        shaped["language"] = language
    return shaped


def _image_fields(image: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the image fields the API takes, dropping any that would not validate."""
    kept: dict[str, Any] = {"url": image["url"]}
    for key in ("width", "height"):
        value = image.get(key)
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 100_000:
            kept[key] = value
    for key, limit in (("credit", fields.MAX_AUTHOR), ("alt", fields.MAX_IMAGE_TEXT)):
        value = image.get(key)
        if isinstance(value, str) and plain_field(value):
            kept[key] = fields.cut(plain_field(value), limit)
    kind = image.get("type")
    if isinstance(kind, str) and fields.IMAGE_TYPE.match(kind):
        kept["type"] = kind
    return kept


def _guid(item: Mapping[str, Any]) -> str | None:
    """Return the entry's id, else its link; a very long one is hashed to fit."""
    for key in ("id", "link"):
        value = item.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str) and value.strip():
            guid = value.strip()
            if len(guid) > fields.MAX_GUID:
                return "sha256:" + hashlib.sha256(guid.encode()).hexdigest()
            return guid
    return None


def _when(item: Mapping[str, Any]) -> float | None:
    moment = item.get("updated") or item.get("published")
    return moment.timestamp() if isinstance(moment, datetime) else None


def _language(tag: Any) -> str | None:
    """Return the known language of a tag such as "en-US" or "fr", else None."""
    if not isinstance(tag, str) or not tag.strip():
        return None
    found = languages.loose(tag)  # "en-GB" is kept as stated: routing reads it as "en"
    return (languages.stated(tag) or found.tag) if found else None


def _ttl(value: Any) -> int | None:
    """Return <ttl> minutes when they are a plausible number (at most six digits)."""
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None


def _title(value: Any) -> str | None:
    return fields.cut(plain_field(value), fields.MAX_TITLE) if isinstance(value, str) else None
