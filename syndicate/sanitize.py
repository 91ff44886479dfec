"""Sanitize producer HTML and text so that nothing unsafe or XML-breaking reaches a feed."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

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

# XML 1.0 allows #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]; of
# those, DEL and the C1 controls are "discouraged" (XML 1.0 §2.2) and mean nothing in text.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# In a URL no control character, C0, DEL or C1, nor anything XML forbids, is ever meant.
_URL_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[^>]*>")


def xml_safe(text: str) -> str:
    """Remove the characters XML 1.0 forbids or discourages (C0 but tab and line ends, DEL,
    C1, surrogates, non-characters), so they can never break a feed."""
    return _XML_ILLEGAL.sub("", text)


def url_safe(url: str) -> bool:
    """Say whether a URL holds no control or XML-forbidden character (none is ever meant)."""
    return _URL_FORBIDDEN.search(url) is None


def plain_text(text: str) -> str:
    """Return XML-safe text with runs of white space folded to one space."""
    return _SPACE.sub(" ", xml_safe(text)).strip()


# HTML's elements: "<name ...>" with another name is text a writer typed ("a<b and c>d" keeps
# its "<b and c>": b is an element, but "and" and "c" are no attributes).
_ELEMENTS = frozenset("""a abbr acronym address area article aside audio b base bdi bdo big
blockquote body br button canvas caption center cite code col colgroup data datalist dd del
details dfn dialog dir div dl dt em embed fieldset figcaption figure font footer form frame
frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img input ins kbd label legend
li link main map mark marquee math menu meta meter nav noscript object ol optgroup option
output p param picture plaintext pre progress q rp rt ruby s samp script search section select
slot small source span strike strong style sub summary sup svg table tbody td template
textarea tfoot th thead time title tr track tt u ul var video wbr xmp""".split())
_ATTRIBUTE_NAMES = frozenset("""accesskey action align alt async autocomplete autofocus
autoplay bgcolor border charset checked cite class cols colspan content contenteditable
controls coords crossorigin datetime decoding default defer dir disabled download draggable
enctype face for form formaction frameborder headers height hidden high href hreflang
http-equiv id integrity ismap itemprop itemscope itemtype kind label lang list loading loop
low max maxlength media method min multiple muted name nonce novalidate open optimum pattern
ping placeholder poster preload readonly referrerpolicy rel required reversed role rows
rowspan sandbox scope selected shape size sizes slot span spellcheck src srcdoc srclang
srcset start step style tabindex target title translate type usemap valign value width
wrap xmlns""".split())
_TAG_LIKE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*)>")
_ATTRIBUTE = re.compile(r"""\s*([^\s"'=<>`/]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
_BLOCK = re.compile(r"(</?(?:address|article|aside|blockquote|br|dd|div|dl|dt|figcaption|"
                    r"figure|footer|h[1-6]|header|hr|li|main|nav|ol|p|pre|section|table|td|"
                    r"th|tr|ul)\b[^<>]*>)", re.IGNORECASE)


def _is_markup(match: re.Match[str]) -> bool:
    """Say whether a tag-like run is HTML: a known element whose attributes are real ones."""
    closing, name, rest = match.groups()
    if name.lower() not in _ELEMENTS:
        return False
    rest = rest.strip().removesuffix("/")
    if closing:
        return not rest
    position, names = 0, []
    while position < len(rest):
        found = _ATTRIBUTE.match(rest, position)
        if found is None or found.end() == position:
            return False
        names.append(found.group(1).lower())
        position = found.end()
    return all(n in _ATTRIBUTE_NAMES or n.startswith(("data-", "aria-", "on"))
               for n in names)


def _text_brackets(text: str) -> str:
    """Escape the "<" of every tag-like run that is not HTML, so it stays text."""
    return _TAG_LIKE.sub(lambda m: m.group(0) if _is_markup(m) else "&lt;" + m.group(0)[1:],
                         text)


def strip_markup(text: str) -> str:
    """Return text with every tag removed (script and style with their content), entities
    decoded; repeated until nothing changes, so an escaped tag cannot survive as a tag.
    Block boundaries become spaces ("<p>end.</p><p>Next" reads "end. Next"); brackets that
    are not HTML stay as text ("a<b and c>d")."""
    for _ in range(4):
        marked = _BLOCK.sub(r" \1 ", _text_brackets(xml_safe(text)))
        stripped = html.unescape(nh3.clean(marked, tags=set()))
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
    if not url_safe(value):
        return None
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


# Query parameters whose values are secrets: never written to a log.
SECRET_PARAMS = frozenset({"key", "token", "access_token", "api_key", "apikey", "secret",
                           "password", "passwd", "sig", "signature", "auth"})
_LOG_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def redacted_query(query: str) -> str:
    """Return a query string with the values of secret-bearing parameters replaced."""
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, "[redacted]" if k.lower() in SECRET_PARAMS else v) for k, v in pairs],
                     safe="[]/,:")


def redacted_url(url: str) -> str:
    """Return a URL fit for a log line: its password and secret query values replaced."""
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            netloc = netloc.replace(f":{parts.password}@", ":[redacted]@", 1)
    except ValueError:
        return loggable(url)
    return loggable(urlunsplit(parts._replace(netloc=netloc,
                                              query=redacted_query(parts.query))))


def loggable(text: str) -> str:
    """Return text with control characters escaped (\\x0a), so no input can forge a line."""
    return _LOG_UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
