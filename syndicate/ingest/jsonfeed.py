"""Read a JSON Feed 1.0 or 1.1 document (https://jsonfeed.org/version/1.1) into raw entries.

Pure. The raw entries have the shape ``feeds`` gives feedparser's: id, link, title, body and
its format, summary, author, categories, dates, image and language; ``feeds`` validates them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ..errors import FeedInvalid, InputError
from . import fields
from .payload import HTML, TEXT

VERSIONS = {"https://jsonfeed.org/version/1": "json10",
            "https://jsonfeed.org/version/1.1": "json11"}


def read(body: bytes, cap: int) -> dict[str, Any]:
    """Return {kind, title, language, ttl, cut, entries} with at most cap entries (the first
    in the document); raise FeedInvalid for anything else."""
    try:
        data = fields.json_value(body)
        cut = isinstance(data, dict) and isinstance(data.get("items"), list) \
            and len(data["items"]) > cap
        if cut:
            data["items"] = data["items"][:cap]  # the rest is never looked at
        fields.check_depth(data)
    except InputError as exc:
        raise FeedInvalid(f"not a JSON Feed: {exc}") from None
    if not isinstance(data, dict):
        raise FeedInvalid("not a JSON Feed: the document is not an object")
    version = data.get("version")
    kind = VERSIONS.get(str(version).rstrip("/")) if isinstance(version, str) else None
    if kind is None:
        raise FeedInvalid(f"not a JSON Feed: version {version!r} is not "
                          f"{' or '.join(VERSIONS)}")
    items = data.get("items")
    if not isinstance(items, list):
        raise FeedInvalid("not a JSON Feed: 'items' must be a list")
    feed_authors = _authors(data)
    return {
        "kind": kind, "title": data.get("title") if isinstance(data.get("title"), str) else None,
        "language": data.get("language"), "ttl": None, "cut": cut,
        "entries": [_entry(item, feed_authors) for item in items if isinstance(item, dict)],
    }


def _entry(item: dict[str, Any], feed_authors: list[str]) -> dict[str, Any]:
    html, text = item.get("content_html"), item.get("content_text")
    summary = item.get("summary") if isinstance(item.get("summary"), str) else None
    body: str | None = summary
    kind = TEXT
    if isinstance(html, str) and html.strip():
        body, kind = html, HTML
    elif isinstance(text, str) and text.strip():
        body = text
    link = item.get("url") or item.get("external_url")
    authors = _authors(item) or feed_authors
    image: Any = item.get("image") or item.get("banner_image")
    if not isinstance(image, str):
        image = next((a.get("url") for a in _list(item.get("attachments"))
                      if isinstance(a, dict)
                      and str(a.get("mime_type", "")).startswith("image/")), None)
    return {
        "id": item.get("id"), "link": link if isinstance(link, str) else None,
        "title": item.get("title"), "body": body, "format": kind,
        "summary": summary if body is not summary else None,
        "author": ", ".join(authors) or None,
        "categories": [t for t in _list(item.get("tags")) if isinstance(t, str)],
        "published": _date(item.get("date_published")),
        "updated": _date(item.get("date_modified")),
        "image": {"url": image} if isinstance(image, str) else None,
        "language": item.get("language"),
    }


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _authors(data: dict[str, Any]) -> list[str]:
    """Return author names from 1.1's ``authors`` or 1.0's ``author``."""
    found = data.get("authors")
    if not isinstance(found, list):
        found = [data.get("author")]
    return [a["name"] for a in found
            if isinstance(a, dict) and isinstance(a.get("name"), str) and a["name"].strip()]


def _date(value: Any) -> datetime | None:
    """Return an RFC 3339 date as UTC, or None when it is absent or unreadable."""
    problems = fields.Problems()
    moment = fields.timestamp(value, "date", problems) if isinstance(value, str) else None
    return moment.astimezone(UTC) if moment is not None else None
