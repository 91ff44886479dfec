"""Sanitize producer HTML and text so that nothing unsafe or XML-breaking reaches a feed."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

import nh3

INLINE_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "del", "dfn", "em", "i", "img", "ins",
    "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
})
LIST_TAGS = INLINE_TAGS | {"li", "ul", "ol"}
_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "q": {"cite"},
    "time": {"datetime"},
    "*": {"lang", "dir"},
}
_URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
_URL_SCHEMES = frozenset({"http", "https", "mailto"})

# XML 1.0 allows #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]*>")


def xml_safe(text: str) -> str:
    """Remove the characters XML 1.0 forbids, so they can never break a feed."""
    return _XML_ILLEGAL.sub("", text)


def plain_text(text: str) -> str:
    """Return XML-safe text with runs of white space folded to one space."""
    return _SPACE.sub(" ", xml_safe(text)).strip()


def strip_markup(text: str) -> str:
    """Return text with every tag removed (script and style with their content), entities
    decoded; repeated until nothing changes, so an escaped tag cannot survive as a tag."""
    for _ in range(4):
        stripped = html.unescape(nh3.clean(xml_safe(text), tags=set()))
        if stripped == text:
            break
        text = stripped
    return text


def plain_field(text: str) -> str:
    """Return a plain-text field (title, summary, author, category): no markup, folded."""
    return plain_text(strip_markup(text))


def clean_html(markup: str, *, base_url: str | None, allow_lists: bool = False) -> str:
    """Return sanitized inline HTML: allowed tags only, absolute http(s)/mailto URLs only."""

    def keep_url(tag: str, attr: str, value: str) -> str | None:
        if attr not in _URL_ATTRIBUTES:
            return value
        return absolute_url(value, base_url)

    cleaned = nh3.clean(
        xml_safe(markup),
        tags=set(LIST_TAGS if allow_lists else INLINE_TAGS),
        attributes={tag: set(attrs) for tag, attrs in _ATTRIBUTES.items()},
        url_schemes=set(_URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
        attribute_filter=keep_url,
    )
    return cleaned.strip()


def absolute_url(value: str, base_url: str | None) -> str | None:
    """Resolve a URL against the article's link; drop it if unsafe or unresolvable."""
    value = value.strip()
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - a bad host or port only fails when read
        scheme = parts.scheme.lower()
        if scheme:
            return value if scheme in _URL_SCHEMES else None
        if base_url is None:
            return None  # a relative URL means nothing in a feed reader
        return urljoin(base_url, value)
    except ValueError:
        return None  # unparseable ("http://[x"): dropped like any unsafe URL


def has_content(markup: str) -> bool:
    """Return whether sanitized HTML shows anything: text or an image."""
    return bool(_TAG.sub("", markup).strip()) or "<img" in markup


def text_of(markup: str) -> str:
    """Return the visible text of sanitized inline HTML, for titles and summaries."""
    return plain_text(html.unescape(_TAG.sub(" ", markup)))
