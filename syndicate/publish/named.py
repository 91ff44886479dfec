"""Named feeds: which entries a partner's feed takes, in its mode, under its size cap. Pure."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..models import Article, Block, FeedMode, NamedFeed, Translation
from . import entries as feed_entries
from . import render
from .entries import FeedEntry

Renderer = Callable[[render.FeedMeta, Sequence[FeedEntry]], bytes]
RENDERERS: dict[str, Renderer] = {
    "rss.xml": render.render_rss, "atom.xml": render.render_atom, "feed.json": render.render_json}


def shape(feed: NamedFeed, article: Article, translation: Translation | None,
          entry: FeedEntry) -> FeedEntry | None:
    """Return the entry as the feed carries it, or None when the feed does not take it."""
    if (feed.categories and not set(feed.categories) & set(article.categories)) \
            or (feed.producers and article.producer not in feed.producers):
        return None
    if feed.reviewed_only and entry.translated_from and not entry.reviewed:
        return None  # the partner takes no text a person does not stand behind
    if feed.mode is FeedMode.SUMMARY:
        return feed_entries.summary_only(entry)
    if feed.mode is FeedMode.BILINGUAL and translation is not None:
        return feed_entries.bilingual(
            entry, article.blocks,
            tuple(Block(b.type, b.html, b.level, b.ordered) for b in translation.blocks),
            article.language)
    return entry


def fit(render_with: Renderer, meta: render.FeedMeta, picked: Sequence[FeedEntry],
        max_bytes: int) -> bytes:
    """Render the entries under the partner's size cap: everything when it fits (the usual
    case), else newest first each entry that still fits (one too big alone is left out, not
    everything after it), then a check of the whole."""
    data = render_with(meta, picked)
    if len(data) <= max_bytes:
        return data
    empty = len(render_with(meta, []))
    budget = max_bytes - empty
    shown = []
    for entry in picked:
        cost = len(render_with(meta, [entry])) - empty
        if cost <= budget:
            shown.append(entry)
            budget -= cost
    data = render_with(meta, shown)
    while len(data) > max_bytes and shown:
        shown.pop()
        data = render_with(meta, shown)
    return data
