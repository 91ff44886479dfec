"""What the service may say of an article in a language: derived here, and nowhere else.

Every document the service writes (the feeds, named feeds, archive pages, ninjs, JSON-LD,
sitemaps, article pages, hreflang links), the readiness report and the labels read these
answers over the stored facts; none derives them again. Pure: the time is an argument.

- *reviewed*: a person approved the translation's current content, or wrote every field it
  publishes. A machine pass that changes any field clears an approval (the store does that
  when it saves new content), so new machine text is never covered by an older review.
- *held*: kept out of every document by the language's review mode until a person acts.
- *embargoed*: its publication time is still ahead, whatever was published before.
- *live*: what a document in a language may show now.
"""

from __future__ import annotations

from datetime import datetime

from .articles import Article
from .translations import Finding, Origin, ReviewMode, Severity, Translation, TranslationStatus

APPROVE = "approve"
REJECT = "reject"
EDIT = "edit"


def published_fields(translation: Translation) -> frozenset[str]:
    """Return the names of the fields a translation publishes (title, summary, blocks[i],
    and the lead image's alt text and caption as image.alt / image.caption)."""
    names = {"title"}
    if translation.summary:
        names.add("summary")
    names.update(f"blocks[{i}]" for i in range(len(translation.blocks)))
    names.update(f"image.{name}" for name in translation.image_text)
    return frozenset(names)


def human_fields(translation: Translation) -> frozenset[str]:
    """Return the fields of a translation that a person wrote (its post-edits in force)."""
    return frozenset({*translation.human, *(f"blocks[{i}]" for i, b in
                                             enumerate(translation.blocks)
                                             if b.origin is Origin.HUMAN)})


def approved(translation: Translation) -> bool:
    """Say whether a person approved the translation's current content."""
    return translation.review is not None and translation.review.decision == APPROVE


def reviewed(translation: Translation) -> bool:
    """Say whether a person stands behind every field the translation publishes."""
    return approved(translation) or published_fields(translation) <= human_fields(translation)


def held(mode: ReviewMode, translation: Translation) -> bool:
    """Say whether a language's review mode keeps this content out until a person acts: all
    of it, or what a check gives an error in a field the machine wrote (a person's own words
    are theirs to stand behind; the finding is shown, not held)."""
    if reviewed(translation):
        return False
    if mode is ReviewMode.ALL:
        return True
    human = human_fields(translation)
    return mode is ReviewMode.FAILED and any(
        f.severity is Severity.ERROR and finding_field(f) not in human
        for f in translation.findings)


def finding_field(finding: Finding) -> str:
    """Return the name of the field a check's finding concerns (blocks[i] for a block)."""
    return f"blocks[{finding.block}]" if finding.block is not None else finding.field


def embargoed(article: Article, now: datetime) -> bool:
    """Say whether an article's publication time is still ahead."""
    return article.published > now


def current(article: Article, translation: Translation) -> bool:
    """Say whether a translation is published content of the article's current revision."""
    return (translation.status is TranslationStatus.DONE
            and translation.source_revision == article.revision)


def live(article: Article, translation: Translation | None, language: str,
         now: datetime) -> bool:
    """Say whether a document in language may show the article now (the SQL form of this
    rule is store.feeds.live_in; the model-based test holds the two together)."""
    if article.retracted is not None or embargoed(article, now):
        return False
    if article.language == language:
        return True
    return translation is not None and current(article, translation)
