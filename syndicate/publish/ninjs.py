"""IPTC ninjs 2.3 (News in JSON): one article in one language, and a language's newest.

Pure: no clock, no disk, no database. ninjs 2.3 is the newest 2.x version (IPTC, October 2025),
the line news agencies and partners use most; it has ``digitalsourcetype`` (since 2.2) to
declare machine-made text. An item carries its headline, summary, HTML body, byline,
categories, the lead image as an association with its credit, the other languages as
associations (``original`` for the source of a translation, ``translation`` for the others,
each with its page), and for a translation the engine and model (as an info source with role
``translator``), the reviewer, an editorial note and the digital source type. A language's
newest entries are one ``composite`` item whose associations are the articles; a retracted
article stays in it for a while as an item with ``pubstatus`` ``canceled`` (an agency's kill).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

from ..clock import rfc3339
from ..models import Image
from ..sanitize import text_of
from . import provenance
from .entries import FeedEntry, Tombstone, guid
from .render import FeedMeta, updated_of

VERSION = "2.3"
SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_2.3.json"
STANDARD = {"name": "ninjs", "version": VERSION, "schema": SCHEMA}
_NAMESPACE = uuid.UUID("5d2c8a7e-3f4b-4d61-9a0e-7b1c2e3f4a5d")  # the feeds' ninjs ids


def item(entry: FeedEntry) -> dict[str, Any]:
    """Return the ninjs object of one article in one language."""
    text = text_of(entry.content_html)
    out: dict[str, Any] = {
        "uri": entry.guid,
        "standard": STANDARD,
        "type": "text",
        "representationtype": "full",
        "profile": "syndicate-article",
        "firstcreated": rfc3339(entry.published),
        "versioncreated": rfc3339(entry.updated),
        "pubstatus": "usable",
        "language": entry.tag or entry.language,
        "headlines": [{"role": "main", "contenttype": "text/plain", "value": entry.title}],
    }
    if entry.summary:
        out["descriptions"] = [{"role": "summary", "contenttype": "text/plain",
                                "value": entry.summary}]
    out["bodies"] = [{"role": "main", "contenttype": "text/html", "value": entry.content_html,
                      "charcount": len(text), "wordcount": len(text.split())}]
    if entry.author:
        out["by"] = entry.author
    if entry.categories:
        out["subjects"] = [{"name": term, "literal": term} for term in entry.categories]
    out["altids"] = [{"role": "article-id", "value": entry.article_id},
                     {"role": "page", "value": entry.link},
                     *([{"role": "canonical", "value": entry.canonical}]
                       if entry.canonical else [])]
    associations = ([_image(entry.image)] if entry.image else []) + _languages(entry)
    if associations:
        out["associations"] = associations
    source = provenance.source_type(entry)
    if source is not None:
        out["digitalsourcetype"] = {"name": source.name, "uri": source.iptc_uri,
                                    "literal": source.code}
        out["ednote"] = provenance.statement(entry)
        infosources = [{"name": provenance.engine_name(entry.engine), "role": "translator",
                        **({"literal": entry.model} if entry.model else {})}]
        if entry.reviewer:
            infosources.append({"name": entry.reviewer, "role": "reviewer"})
        out["infosources"] = infosources
    return out


def _image(image: Image) -> dict[str, Any]:
    rendition: dict[str, Any] = {"name": "original", "href": image.url}
    if image.type:
        rendition["contenttype"] = image.type
    if image.width and image.height:
        rendition.update(width=image.width, height=image.height)
    out: dict[str, Any] = {"name": "leadimage", "uri": image.url, "type": "picture",
                           "representationtype": "partial", "renditions": [rendition]}
    descriptions = [{"role": role, "contenttype": "text/plain", "value": value}
                    for role, value in (("caption", image.caption), ("alt", image.alt))
                    if value]
    if descriptions:
        out["descriptions"] = descriptions
    if image.credit:
        out["by"] = image.credit
        out["copyrightnotice"] = image.credit
    return out


def _languages(entry: FeedEntry) -> list[dict[str, Any]]:
    """Return the article's other languages: its original first, then its translations."""
    out = []
    for language, url in entry.alternates:
        name = "original" if language == entry.translated_from else "translation"
        out.append({"name": name, "uri": guid(entry.article_id, language), "type": "text",
                    "representationtype": "partial", "language": language,
                    "renditions": [{"name": "page", "href": url, "contenttype": "text/html"}]})
    out.sort(key=lambda a: a["name"] != "original")
    return out


def document(entry: FeedEntry) -> bytes:
    """Return one article in one language as a ninjs document."""
    return _dump(item(entry))


def feed(meta: FeedMeta, entries: Sequence[FeedEntry],
         tombstones: Sequence[Tombstone] = ()) -> bytes:
    """Return a language's newest entries as one composite ninjs item (retractions as
    canceled items, with no text)."""
    articles = [{"name": "article", **item(e)} for e in entries]
    withdrawn = [{"name": "article", "uri": t.guid, "type": "text", "pubstatus": "canceled",
                  "versioncreated": rfc3339(t.when), "language": meta.language,
                  "headlines": [{"role": "main", "value": t.title}],
                  **({"ednote": t.reason} if t.reason else {}),
                  "altids": [{"role": "page", "value": t.link}]} for t in tombstones]
    out: dict[str, Any] = {
        "uri": "urn:uuid:" + str(uuid.uuid5(_NAMESPACE, f"ninjs/{meta.language}")),
        "standard": STANDARD,
        "type": "composite",
        "representationtype": "full",
        "profile": "syndicate-language-feed",
        "versioncreated": rfc3339(updated_of(entries, tombstones)),
        "language": meta.language,
        "headlines": [{"role": "main", "value": meta.title}],
        "descriptions": [{"role": "summary", "value": meta.description}],
        "altids": [{"role": "site", "value": meta.site_url}],
    }
    if articles or withdrawn:
        out["associations"] = articles + withdrawn
    return _dump(out)


def _dump(data: dict[str, Any]) -> bytes:
    # compact: with an indent, json falls back to its pure-Python encoder (30 ms a feed)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
