"""Plan an article's translation into one language, and assemble the result. Pure: no I/O."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from ..models import Article, BlockType, Edit, Origin, TranslatedBlock
from ..sanitize import clean_html
from . import markup
from .glossary import Glossary
from .markup import Plan, Segment


@dataclass(frozen=True)
class ArticlePlan:
    """Every field of an article cut into segments for one target language."""

    title: Plan
    summary: Plan | None
    blocks: tuple[Plan, ...]
    image: tuple[tuple[str, Plan], ...] = ()  # the lead image's alt text and caption

    def segments(self) -> list[Segment]:
        """Return every segment with words to translate, in order (with repeats)."""
        plans = [self.title, *([self.summary] if self.summary else []), *self.blocks,
                 *(p for _, p in self.image)]
        return [s for p in plans for s in p.segments if s.translatable]


@dataclass(frozen=True)
class Assembled:
    """A complete translation, and the post-edits whose source has changed since."""

    title: str
    summary: str | None
    blocks: list[TranslatedBlock]
    stale_edits: list[int]
    image_text: dict[str, str]  # translated alt text and caption of the lead image
    human: frozenset[str] = frozenset()  # title, summary: the fields a person's edit wrote


def plan(article: Article, target: str, glossary: Glossary) -> ArticlePlan:
    """Cut the title, summary and every block into segments."""
    source = article.language
    return ArticlePlan(
        title=markup.plan_text(article.title, source, target, glossary),
        summary=markup.plan_text(article.summary, source, target, glossary)
        if article.summary else None,
        blocks=tuple(markup.plan_html(b.html, source, target, glossary)
                     for b in article.blocks),
        image=tuple((name, markup.plan_text(text, source, target, glossary))
                    for name, text in (("alt", article.image.alt if article.image else None),
                                       ("caption",
                                        article.image.caption if article.image else None))
                    if text),
    )


def field_hashes(article: Article) -> dict[str, str]:
    """Return the source hash of every translatable field, by field name."""
    out = {"title": _hash(article.title)}
    if article.summary:
        out["summary"] = _hash(article.summary)
    for index, block in enumerate(article.blocks):
        out[f"blocks[{index}]"] = block.content_hash()
    return out


def assemble(article: Article, article_plan: ArticlePlan, translations: Mapping[str, str],
             edits: list[Edit]) -> Assembled:
    """Render every field; a current human edit wins over the machine, a stale one is flagged."""
    hashes = field_hashes(article)
    current: dict[str, Edit] = {}
    stale: list[int] = []
    for edit in edits:  # oldest first: the newest current edit of a field wins
        if edit.stale is not None:
            continue
        if hashes.get(edit.field) == edit.source_hash:
            current[edit.field] = edit
        else:
            stale.append(edit.id)

    def text_field(name: str, field_plan: Plan) -> str:
        edit = current.get(name)
        return edit.text if edit else markup.render_text(field_plan, translations)

    blocks: list[TranslatedBlock] = []
    for index, (block, block_plan) in enumerate(zip(article.blocks, article_plan.blocks,
                                                    strict=True)):
        block_edit = current.get(f"blocks[{index}]")
        html = block_edit.text if block_edit else markup.render(block_plan, translations)
        # Whatever the engine or an edit produced, only the ingest allow-list is stored.
        html = clean_html(html, base_url=None, allow_lists=block.type is BlockType.LIST)
        blocks.append(TranslatedBlock(block.type, html, block.content_hash(),
                                      Origin.HUMAN if block_edit else Origin.MACHINE,
                                      block.level, block.ordered))
    summary = text_field("summary", article_plan.summary) if article_plan.summary else None
    image_text = {name: markup.render_text(p, translations) for name, p in article_plan.image}
    human = frozenset(name for name in ("title", "summary")
                      if name in current and (name == "title" or article_plan.summary))
    return Assembled(text_field("title", article_plan.title), summary, blocks, stale,
                     image_text, human)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
