"""Turn an HTML document or fragment into body blocks (used for HTML and Markdown input)."""

from __future__ import annotations

import html
from dataclasses import dataclass

import lxml.html
from lxml import etree

from ..models import Block, BlockType
from ..sanitize import clean_html, has_content, text_of

_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_CONTAINERS = frozenset({
    "html", "body", "div", "section", "article", "main", "header", "footer", "figure",
    "figcaption", "center", "details", "summary", "table", "thead", "tbody", "tfoot", "tr", "td",
    "th", "dl", "dd", "dt", "address", "hgroup",
})
_DROPPED = frozenset({
    "head", "script", "style", "template", "noscript", "iframe", "object", "embed", "form",
    "button", "input", "select", "textarea", "svg", "math", "nav", "canvas", "audio", "video",
})


@dataclass(frozen=True)
class Document:
    """Blocks parsed from HTML, and the title the document itself states, if any."""

    blocks: tuple[Block, ...]
    title: str | None


def parse_html(markup: str, *, base_url: str | None) -> Document:
    """Parse HTML into sanitized blocks; a <title> or a leading <h1> is offered as the title."""
    if not markup.strip():
        return Document((), None)
    try:
        root = lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError):  # only a comment, only control characters, ...
        return Document((), None)  # no content: the caller reports the empty body
    title_el = root.find(".//title")
    stated_title = text_of(title_el.text or "") if title_el is not None else None
    walker = _Walker(base_url)
    body = root.find("body")
    walker.walk(body if body is not None else root)
    blocks = walker.blocks
    if not stated_title and blocks and blocks[0].type is BlockType.HEADING and blocks[0].level == 1:
        stated_title, blocks = text_of(blocks[0].html), blocks[1:]
    return Document(tuple(blocks), stated_title or None)


class _Walker:
    def __init__(self, base_url: str | None) -> None:
        self.base_url = base_url
        self.blocks: list[Block] = []
        self.pending: list[str] = []  # inline HTML waiting to become a paragraph

    def walk(self, container: etree._Element) -> None:
        self._inline_text(container.text)
        for child in container:
            tag = child.tag.lower() if isinstance(child.tag, str) else ""
            if not tag or tag in _DROPPED:
                self._inline_text(child.tail)
                continue
            if tag in _HEADINGS:
                self._add(BlockType.HEADING, _inner(child), level=_HEADINGS[tag])
            elif tag == "p":
                self._add(BlockType.PARAGRAPH, _inner(child))
            elif tag in ("ul", "ol"):
                self._add(BlockType.LIST, _inner(child), ordered=tag == "ol")
            elif tag == "blockquote":
                self._quote(child)
            elif tag == "pre":
                source = "".join(map(str, child.itertext())).strip("\n")
                code = html.escape(source).replace("\n", "<br>")
                self._add(BlockType.PARAGRAPH, f"<code>{code}</code>")
            elif tag in _CONTAINERS:
                self._flush()
                self.walk(child)
            elif tag == "hr":
                self._flush()
            else:
                self.pending.append(lxml.html.tostring(child, encoding="unicode", with_tail=False))
            self._inline_text(child.tail)
        self._flush()

    def _quote(self, element: etree._Element) -> None:
        paragraphs = [c for c in element if isinstance(c.tag, str) and c.tag.lower() == "p"]
        if paragraphs:
            for p in paragraphs:
                self._add(BlockType.QUOTE, _inner(p))
        else:
            self._add(BlockType.QUOTE, _inner(element))

    def _inline_text(self, text: str | None) -> None:
        if text:
            self.pending.append(html.escape(text, quote=False))

    def _flush(self) -> None:
        markup, self.pending = "".join(self.pending), []
        cleaned = clean_html(markup, base_url=self.base_url)
        if has_content(cleaned):
            self.blocks.append(Block(BlockType.PARAGRAPH, cleaned))

    def _add(self, kind: BlockType, markup: str, *, level: int | None = None,
             ordered: bool | None = None) -> None:
        self._flush()
        is_list = kind is BlockType.LIST
        cleaned = clean_html(markup, base_url=self.base_url, allow_lists=is_list)
        if has_content(cleaned) and (not is_list or "<li" in cleaned):
            self.blocks.append(Block(kind, cleaned, level=level, ordered=ordered))


def _inner(element: etree._Element) -> str:
    parts = [html.escape(element.text or "", quote=False)]
    parts.extend(lxml.html.tostring(c, encoding="unicode", with_tail=True) for c in element)
    return "".join(parts)
