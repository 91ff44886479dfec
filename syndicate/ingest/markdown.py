"""Turn Markdown into body blocks, through the same HTML path as HTML input."""

from __future__ import annotations

from markdown_it import MarkdownIt

from .htmlblocks import Document, parse_html

_MD = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")


def parse_markdown(text: str, *, base_url: str | None) -> Document:
    """Render Markdown to HTML and split it into sanitized blocks; a leading '# ' is the title."""
    return parse_html(_MD.render(text), base_url=base_url)
