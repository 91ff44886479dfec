"""Feed entries: what one article looks like in one language's feed. Pure: no I/O, no clock."""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from ..models import Article, Block, BlockType, Translation

# GUIDs never change: derived from the article id and the language only (not from any URL, so
# changing SYNDICATE_PUBLIC_URL does not make every entry new to every reader).
_GUID_NAMESPACE = uuid.UUID("8f0e4c1e-6a51-4f7e-9a43-2c7c6f2a9b10")
_TAG = re.compile(r"<[^>]+>")
SUMMARY_CHARS = 280


@dataclass(frozen=True)
class FeedEntry:
    """One article in one language, ready to render in any feed format."""

    article_id: str
    language: str
    guid: str
    title: str
    summary: str
    content_html: str
    link: str  # this language's page
    canonical: str | None  # the producer's own page
    author: str | None
    categories: tuple[str, ...]
    published: datetime
    updated: datetime
    alternates: tuple[tuple[str, str], ...]  # (language, page URL) of the other versions


def guid(article_id: str, language: str) -> str:
    """Return the stable id of an article in a language."""
    return "urn:uuid:" + str(uuid.uuid5(_GUID_NAMESPACE, f"{article_id}/{language}"))


def page_url(public_url: str, article_id: str, language: str) -> str:
    """Return the public page of an article in a language."""
    return f"{public_url}/articles/{article_id}/{language}"


def entry(article: Article, translation: Translation | None, language: str, public_url: str,
          languages: list[str]) -> FeedEntry:
    """Build the entry for an article in its own language (no translation) or a translation."""
    if translation is None:
        title, summary, blocks = article.title, article.summary, article.blocks
        updated = article.updated
    else:
        title = translation.title or article.title
        summary = translation.summary
        blocks = tuple(Block(b.type, b.html, b.level, b.ordered) for b in translation.blocks)
        updated = translation.updated or article.updated
    return FeedEntry(
        article_id=article.id, language=language, guid=guid(article.id, language), title=title,
        summary=summary or _summary_of(blocks), content_html=content_html(blocks),
        link=page_url(public_url, article.id, language), canonical=article.link,
        author=article.author, categories=article.categories, published=article.published,
        updated=max(updated, article.published),
        alternates=tuple((lang, page_url(public_url, article.id, lang))
                         for lang in languages if lang != language),
    )


def content_html(blocks: tuple[Block, ...]) -> str:
    """Return the full article body as HTML."""
    parts: list[str] = []
    for block in blocks:
        if block.type is BlockType.HEADING:
            level = min(max(block.level or 2, 2), 6)  # h1 is the entry title
            parts.append(f"<h{level}>{block.html}</h{level}>")
        elif block.type is BlockType.LIST:
            tag = "ol" if block.ordered else "ul"
            parts.append(f"<{tag}>{block.html}</{tag}>")
        elif block.type is BlockType.QUOTE:
            parts.append(f"<blockquote><p>{block.html}</p></blockquote>")
        else:
            parts.append(f"<p>{block.html}</p>")
    return "\n".join(parts)


def _summary_of(blocks: tuple[Block, ...]) -> str:
    for block in blocks:
        if block.type is BlockType.PARAGRAPH:
            text = " ".join(html.unescape(_TAG.sub(" ", block.html)).split())
            if len(text) <= SUMMARY_CHARS:
                return text
            return text[:SUMMARY_CHARS].rsplit(" ", 1)[0] + "…"
    return ""
