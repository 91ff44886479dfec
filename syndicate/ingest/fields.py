"""Validate the metadata fields of an article, collecting every problem before failing."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from .. import languages
from ..errors import FieldProblem, MalformedInput, ValidationError
from ..models import Image
from ..sanitize import absolute_url, plain_field, plain_text, url_safe

MAX_TITLE = 500
MAX_GUID = 1000
MAX_SUMMARY = 5000
MAX_AUTHOR = 200
MAX_URL = 2048
MAX_CATEGORY = 200
MAX_CATEGORIES = 50

_RFC3339 = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)


class Problems:
    """Collects field problems; raises them all at once."""

    def __init__(self) -> None:
        self.items: list[FieldProblem] = []

    def add(self, field: str, detail: str) -> None:
        self.items.append(FieldProblem(field, detail))

    def raise_if_any(self) -> None:
        if self.items:
            raise ValidationError(self.items)


def text(value: Any, field: str, problems: Problems, *, required: bool, max_len: int,
         markup: bool = False) -> str | None:
    """Return a plain-text field, folded and XML-safe, with any markup removed (an identifier
    such as a guid, ``markup=True``, is kept as sent)."""
    if value is None:
        if required:
            problems.add(field, "is required")
        return None
    if not isinstance(value, str):
        problems.add(field, "must be a string")
        return None
    cleaned = plain_text(value) if markup else plain_field(value)
    if not cleaned:
        if required:
            problems.add(field, "must not be empty")
        return None
    if len(cleaned) > max_len:
        problems.add(field, f"must be at most {max_len} characters (got {len(cleaned)})")
        return None
    return cleaned


def language(value: Any, field: str, problems: Problems, default: str) -> str:
    """Return the canonical BCP 47 tag of a language the service knows."""
    if value is None:
        return default
    if not isinstance(value, str):
        problems.add(field, "must be a string (a BCP 47 language tag)")
        return default
    try:
        return languages.resolve(value).tag
    except languages.UnknownLanguage as exc:
        problems.add(field, str(exc))
        return default


def regional_tag(value: Any, language: str) -> str | None:
    """Return a stated tag that names more than the language it is routed as ("en-GB" for
    "en"), canonically cased, so that the feeds can keep it; None otherwise."""
    tag = languages.stated(value) if isinstance(value, str) else None
    return tag if tag != language else None


MAX_JSON_DEPTH = 32  # far deeper than any payload the API takes; bounds the parsers' work


def json_document(body: str | bytes) -> Any:
    """Parse a JSON body; MalformedInput when it is not JSON, ValidationError (naming the
    depth) when it nests deeper than MAX_JSON_DEPTH."""
    data = json_value(body)
    check_depth(data)
    return data


def json_value(body: str | bytes) -> Any:
    """Parse JSON without the depth check (the caller runs check_depth on what it keeps);
    MalformedInput when it is not JSON, or nests deeper than the parser can."""
    try:
        return json.loads(body)
    except RecursionError:
        raise ValidationError.single(
            "body", f"nests more than {MAX_JSON_DEPTH + 1} levels deep; at most "
            f"{MAX_JSON_DEPTH} are allowed") from None
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        where = f" at line {exc.lineno} column {exc.colno}" \
            if isinstance(exc, json.JSONDecodeError) else ""
        message = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        raise MalformedInput(f"malformed JSON: {message}{where}") from None


def check_depth(data: Any) -> None:
    """Raise ValidationError (naming the depth) when data nests deeper than MAX_JSON_DEPTH."""
    depth = _depth(data)
    if depth > MAX_JSON_DEPTH:
        raise ValidationError.single(
            "body", f"nests {depth} levels deep; at most {MAX_JSON_DEPTH} are allowed")


def _depth(data: Any) -> int:
    """Return how deeply lists and objects nest (iteratively: no recursion to exhaust)."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, level)
            if level > MAX_JSON_DEPTH:
                return level
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, level + 1) for child in children)
    return deepest


MAX_IMAGE_TEXT = 1000


def image(value: Any, field: str, problems: Problems, *,
          base_url: str | None) -> Image | None:
    """Return the lead image {url, alt?, caption?, credit?, width?, height?, type?}."""
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.add(field, "must be an object with at least a url")
        return None
    raw_url = value.get("url")
    url = absolute_url(raw_url, base_url) if isinstance(raw_url, str) else None
    checked = link(url if url else raw_url, f"{field}.url", problems) if raw_url is not None \
        else None
    if raw_url is None:
        problems.add(f"{field}.url", "is required")
    texts = {name: text(value.get(name), f"{field}.{name}", problems, required=False,
                        max_len=MAX_IMAGE_TEXT if name != "credit" else MAX_AUTHOR)
             for name in ("alt", "caption", "credit")}
    sizes: dict[str, int | None] = {}
    for name in ("width", "height"):
        size = value.get(name)
        if size is not None and (isinstance(size, bool) or not isinstance(size, int)
                                 or not 1 <= size <= 100_000):
            problems.add(f"{field}.{name}", "must be a whole number of pixels, 1 to 100000")
            size = None
        sizes[name] = size
    kind = value.get("type")
    if kind is not None and (not isinstance(kind, str) or not IMAGE_TYPE.match(kind)):
        problems.add(f"{field}.type", "must be an image media type such as image/jpeg")
        kind = None
    if checked is None:
        return None
    return Image(checked, texts["alt"], texts["caption"], texts["credit"], sizes["width"],
                 sizes["height"], kind)


IMAGE_TYPE = re.compile(r"^image/[a-z0-9.+-]+$")


def cut(text: str, limit: int) -> str:
    """Return text, or its start cut at a word to fit limit characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def link(value: Any, field: str, problems: Problems) -> str | None:
    """Return an absolute http(s) URL."""
    if value is None:
        return None
    if not isinstance(value, str):
        problems.add(field, "must be a string (an absolute http(s) URL)")
        return None
    url = value.strip()
    if not url_safe(url):
        problems.add(field, "must not contain control characters")
        return None
    try:
        parts = urlsplit(url)
        hostname = parts.hostname  # parsed lazily: "http://[x" fails only here
        parts.port  # noqa: B018 - likewise a port out of range
    except ValueError:
        problems.add(field, "is not a valid URL")
        return None
    if parts.scheme.lower() not in ("http", "https") or not hostname:
        problems.add(field, "must be an absolute http(s) URL")
        return None
    if len(url) > MAX_URL or any(c.isspace() for c in url):
        problems.add(field, f"must be a URL of at most {MAX_URL} characters without spaces")
        return None
    return url


def timestamp(value: Any, field: str, problems: Problems) -> datetime | None:
    """Return an RFC 3339 date-time as an aware UTC datetime."""
    if value is None:
        return None
    match = _RFC3339.match(value) if isinstance(value, str) else None
    if match is None:
        problems.add(field, "must be an RFC 3339 date-time, e.g. 2026-11-26T09:30:00Z")
        return None
    date, time, fraction, offset = match.groups()
    fraction = (fraction or "")[:7]  # datetime keeps microseconds
    offset = "+00:00" if offset in ("Z", "z") else offset
    try:
        parsed = datetime.fromisoformat(f"{date}T{time}{fraction}{offset}")
    except ValueError as exc:
        problems.add(field, f"is not a valid date-time: {exc}")
        return None
    if parsed < EARLIEST:
        problems.add(field, "must not be before 1970-01-01 (feeds cannot carry earlier dates)")
        return None
    return parsed.astimezone(UTC)


EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def categories(value: Any, field: str, problems: Problems) -> tuple[str, ...]:
    """Return distinct, non-empty category labels in the order given."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.add(field, "must be a list of strings")
        return ()
    labels = [plain_field(v) for v in value]
    if any(not label or len(label) > MAX_CATEGORY for label in labels):
        problems.add(field, f"each category must be 1 to {MAX_CATEGORY} characters")
        return ()
    unique = tuple(dict.fromkeys(labels))
    if len(unique) > MAX_CATEGORIES:
        problems.add(field, f"must have at most {MAX_CATEGORIES} categories")
        return ()
    return unique
