"""Feed entries: what one article looks like in one language's feed. Pure: no I/O, no clock."""

from __future__ import annotations

import html
import re
import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from ..languages import KNOWN
from ..models import Article, Block, BlockType, Image, Translation, standing

# GUIDs never change: derived from the article id and the language only (not from any URL, so
# changing SYNDICATE_PUBLIC_URL does not make every entry new to every reader).
_GUID_NAMESPACE = uuid.UUID("8f0e4c1e-6a51-4f7e-9a43-2c7c6f2a9b10")
_TAG = re.compile(r"<[^>]+>")
SUMMARY_CHARS = 280
# The scheme of the category that marks machine translation (a tag URI under the reserved
# .invalid domain: stable, and nobody else's). Terms: TRANSLATED, REVIEWED.
DISCLOSURE_SCHEME = "tag:syndicate.invalid,2026:translation"
TRANSLATED = "machine-translated"
REVIEWED = "machine-translated-reviewed"


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
    translated_from: str | None = None  # the source language, when machine-translated
    reviewed: bool = False  # a person stands behind every field (standing.reviewed)
    notice: str | None = None  # the visible disclosure line, already in the feed's language
    tag: str | None = None  # the article's own regional tag ("en-GB"), in its own language
    image: Image | None = None  # the lead image, its alt text and caption in this language
    engine: str | None = None  # the engine that translated it ("argos", "apertium")
    model: str | None = None  # and its model or pair
    reviewer: str | None = None  # the public name of whoever reviewed it (never a token's)

    @property
    def disclosure(self) -> str | None:
        """Return the disclosure category's term, if the entry is a translation."""
        if self.translated_from is None:
            return None
        return REVIEWED if self.reviewed else TRANSLATED

def guid(article_id: str, language: str) -> str:
    """Return the stable id of an article in a language."""
    return "urn:uuid:" + str(uuid.uuid5(_GUID_NAMESPACE, f"{article_id}/{language}"))


def page_url(public_url: str, article_id: str, language: str) -> str:
    """Return the public page of an article in a language."""
    return f"{public_url}/articles/{article_id}/{language}"


def entry(article: Article, translation: Translation | None, language: str, public_url: str,
          languages: list[str], notices: Notices | None = None,
          reviewer: str = "the newsroom") -> FeedEntry:
    """Build the entry for an article in its own language (no translation) or a translation;
    a translation says so (``notices`` give the visible line; None shows none), and names
    ``reviewer`` when a person stands behind it."""
    if translation is None:
        title, summary, blocks = article.title, article.summary, article.blocks
        updated = article.updated
    else:
        title = translation.title or article.title
        summary = translation.summary
        blocks = tuple(Block(b.type, b.html, b.level, b.ordered) for b in translation.blocks)
        updated = translation.updated or article.updated
    reviewed = translation is not None and standing.reviewed(translation)
    notice = None
    if translation is not None and notices is not None:
        notice = notices.line(language, article.language, reviewed)
    body = content_html(blocks)
    if notice:
        body += f'\n<p><small>{html.escape(notice, quote=False)}</small></p>'
    return FeedEntry(
        article_id=article.id, language=language, guid=guid(article.id, language), title=title,
        summary=summary or _summary_of(blocks), content_html=body,
        link=page_url(public_url, article.id, language), canonical=article.link,
        author=article.author, categories=article.categories, published=article.published,
        updated=max(updated, article.published),
        alternates=tuple((lang, page_url(public_url, article.id, lang))
                         for lang in languages if lang != language),
        translated_from=article.language if translation is not None else None,
        reviewed=reviewed, notice=notice, image=_image(article.image, translation),
        tag=article.language_tag if translation is None else None,
        engine=translation.engine if translation is not None else None,
        model=translation.model if translation is not None else None,
        reviewer=reviewer if reviewed else None,
    )


def _image(image: Image | None, translation: Translation | None) -> Image | None:
    if image is None or translation is None:
        return image
    texts = translation.image_text
    return replace(image, alt=texts.get("alt", image.alt),
                   caption=texts.get("caption", image.caption))


@dataclass(frozen=True)
class Tombstone:
    """A retracted article's mark in a feed: same id, when, and why (RFC 6721; MSN)."""

    guid: str
    title: str
    when: datetime
    link: str
    reason: str | None


WITHDRAWN = "Withdrawn"  # a tombstone's title: nothing of the article (a legal takedown)


def tombstone(article_id: str, when: datetime, reason: str | None, language: str,
              public_url: str) -> Tombstone:
    """Build the tombstone of an article retracted from a language's feed: its id, when,
    why and where it was, and none of its text."""
    return Tombstone(guid(article_id, language), WITHDRAWN, when,
                     page_url(public_url, article_id, language), reason)


ENGLISH = ("Machine-translated from {source}.",
           "Machine-translated from {source} and reviewed by a person.")
Shipped = tuple[tuple[str, str, str, tuple[tuple[str, str], ...]], ...]


@dataclass(frozen=True)
class Notices:
    """The visible machine-translation line, per feed language ({source}: the source
    language's name, {code}: its tag); an empty text shows no line. ``auto`` takes the
    shipped line in the feed's own language (``shipped``: language, machine, reviewed, and
    the phrase naming each source language), else the English one."""

    machine: str = "auto"
    reviewed: str = "auto"
    per_language: tuple[tuple[str, str, str], ...] = ()  # (language, machine, reviewed)
    shipped: Shipped = ()

    def line(self, language: str, source: str, reviewed: bool) -> str | None:
        """Return the line for an entry in language translated from source, or None."""
        texts = {lang: (m, r) for lang, m, r in self.per_language}
        machine, human = texts.get(language, (self.machine, self.reviewed))
        text = human if reviewed else machine
        if text == "auto":
            for lang, shipped_machine, shipped_human, phrases in self.shipped:
                names = dict(phrases)
                if lang == language and source in names:
                    line = shipped_human if reviewed else shipped_machine
                    return line.format(source=names[source], code=source)
            text = ENGLISH[1] if reviewed else ENGLISH[0]
        name = KNOWN[source].name if source in KNOWN else source
        return text.format(source=name, code=source) if text else None


def bilingual(entry: FeedEntry, source: tuple[Block, ...], translated: tuple[Block, ...],
              source_language: str) -> FeedEntry:
    """Return the entry with each source block followed by its translation."""
    parts: list[str] = []
    for original, translation in zip(source, translated, strict=False):
        parts.append(f'<div lang="{source_language}">{content_html((original,))}</div>')
        parts.append(f'<div lang="{entry.language}">{content_html((translation,))}</div>')
    if entry.notice:
        parts.append(f"<p><small>{html.escape(entry.notice, quote=False)}</small></p>")
    return replace(entry, content_html="\n".join(parts))


def summary_only(entry: FeedEntry) -> FeedEntry:
    """Return the entry with its summary as its whole content."""
    return replace(entry, content_html=f"<p>{html.escape(entry.summary, quote=False)}</p>")


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
