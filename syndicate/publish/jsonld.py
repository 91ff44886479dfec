"""schema.org structured data for an article page: one NewsArticle as JSON-LD. Pure.

It names the headline, dates, author (the publication when the producer named none), lead
image with its caption and credit, language, the article's other languages
(``translationOfWork`` from a translation to its original, ``workTranslation`` from the
original to each translation), the producer's own page (``isBasedOn``), and who translated it:
the engine as a SoftwareApplication, and the person who reviewed it.
"""

from __future__ import annotations

import json
from typing import Any

from ..clock import rfc3339
from . import provenance
from .entries import FeedEntry

HEADLINE_CHARS = 110  # Google's limit for a NewsArticle headline


def news_article(entry: FeedEntry, publisher: str, site_url: str) -> dict[str, Any]:
    """Return the NewsArticle describing one article in one language."""
    organisation = {"@type": "NewsMediaOrganization", "name": publisher, "url": site_url}
    headline = entry.title if len(entry.title) <= HEADLINE_CHARS \
        else entry.title[:HEADLINE_CHARS - 1].rsplit(" ", 1)[0] + "…"
    out: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "@id": entry.link,
        "url": entry.link,
        "mainEntityOfPage": entry.link,
        "identifier": entry.guid,
        "headline": headline,
        "datePublished": rfc3339(entry.published),
        "dateModified": rfc3339(entry.updated),
        "inLanguage": entry.tag or entry.language,
        "author": {"@type": "Person", "name": entry.author} if entry.author else organisation,
        "publisher": organisation,
    }
    if entry.summary:
        out["description"] = entry.summary
    if entry.categories:
        out["keywords"] = list(entry.categories)
    if entry.image:
        image: dict[str, Any] = {"@type": "ImageObject", "url": entry.image.url,
                                 "contentUrl": entry.image.url}
        if entry.image.caption or entry.image.alt:
            image["caption"] = entry.image.caption or entry.image.alt
        if entry.image.credit:
            image["creditText"] = entry.image.credit
        if entry.image.width and entry.image.height:
            image.update(width=entry.image.width, height=entry.image.height)
        out["image"] = image
    if entry.canonical:
        out["isBasedOn"] = entry.canonical
    versions = {language: {"@type": "NewsArticle", "@id": url, "url": url,
                           "inLanguage": language} for language, url in entry.alternates}
    if entry.translated_from is None:
        if versions:
            out["workTranslation"] = list(versions.values())
    else:
        if entry.translated_from in versions:
            out["translationOfWork"] = versions[entry.translated_from]
        translators: list[dict[str, Any]] = [{
            "@type": "SoftwareApplication", "name": provenance.engine_name(entry.engine),
            "applicationCategory": "Machine translation",
            **({"softwareVersion": entry.model} if entry.model else {})}]
        if entry.reviewer:
            translators.append({"@type": "Organization", "name": entry.reviewer})
        out["translator"] = translators
        source = provenance.source_type(entry)
        if source is not None:
            out["digitalSourceType"] = source.schema_org
    return out


def script(data: dict[str, Any]) -> str:
    """Return JSON for a <script type="application/ld+json"> element: no "<", ">" or "&"
    unescaped, so no text in it can close the element."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
