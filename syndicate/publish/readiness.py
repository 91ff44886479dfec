"""Partner readiness: which entries and feeds a partner's published rules would reject.

Pure: rule sets are parsed from their TOML text and checked against rendered feed entries and
feed sizes; reading the files and the feeds is the caller's (``Publisher.check``). A partner is a
data file (``syndicate/partners/*.toml``, or ``translations/partners/*.toml`` for your own):
every key is optional, and a rule that is absent is not checked.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

from ..errors import ConfigError
from .entries import FeedEntry

_MARKUP = re.compile(r"<[a-zA-Z/!]")


@dataclass(frozen=True)
class RuleSet:
    """One partner's rules (None: not checked)."""

    key: str
    name: str
    image_required: bool = False
    image_min_width: int | None = None
    image_min_shortest_side: int | None = None
    title_min: int | None = None
    title_max: int | None = None
    byline_required: bool = False
    body_required: bool = False
    max_age_days: int | None = None
    no_future: bool = False
    feed_max_bytes: int | None = None
    article_max_bytes: int | None = None
    max_items: int | None = None
    reviewed_translations_only: bool = False  # unreviewed machine translation is refused


@dataclass(frozen=True)
class Finding:
    """Something a partner would reject: an entry (article_id set) or a whole feed."""

    partner: str
    language: str
    rule: str
    detail: str
    article_id: str | None = None
    title: str | None = None


def parse(key: str, text: str, source: str) -> RuleSet:
    """Parse a rule set file; ConfigError naming the file and the key on any mistake."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    known = {f.name: f.type for f in fields(RuleSet)}
    for name, value in data.items():
        if name not in known or name == "key":
            raise ConfigError(f"{source}: unknown rule {name!r}")
        wanted = {"bool": bool, "str": str}.get(str(known[name]), int)
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            raise ConfigError(f"{source}: {name} must be a {wanted.__name__}")
    if "name" not in data:
        raise ConfigError(f"{source}: a rule set needs a name")
    return RuleSet(key=key, **data)


def check_entries(rules: RuleSet, language: str, entries: Sequence[FeedEntry],
                  now: datetime) -> list[Finding]:
    """Return what the partner would reject among a feed's entries."""
    out: list[Finding] = []
    for e in entries:
        def add(rule: str, detail: str, entry: FeedEntry = e) -> None:
            out.append(Finding(rules.key, language, rule, detail, entry.article_id, entry.title))

        if rules.image_required and e.image is None:
            add("image_required", "no image")
        width, height = (e.image.width, e.image.height) if e.image else (None, None)
        if rules.image_min_width and width is not None and width < rules.image_min_width:
            add("image_min_width", f"image is {width} px wide; at least "
                f"{rules.image_min_width}")
        shortest = rules.image_min_shortest_side
        if shortest and width is not None and height is not None \
                and min(width, height) < shortest:
            add("image_min_shortest_side", f"image is {width}x{height}; at least {shortest} px "
                "on the shortest side")
        if rules.title_min is not None and len(e.title) < rules.title_min:
            add("title_min", f"title has {len(e.title)} characters; at least {rules.title_min}")
        if rules.title_max is not None and len(e.title) > rules.title_max:
            add("title_max", f"title has {len(e.title)} characters; at most {rules.title_max}")
        if _MARKUP.search(e.title):
            add("title_markup", "the title contains markup")
        if rules.byline_required and not e.author:
            add("byline_required", "no author")
        if rules.body_required and not e.content_html.strip():
            add("body_required", "no body")
        if rules.max_age_days is not None and e.published < now - timedelta(
                days=rules.max_age_days):
            add("max_age_days", f"published {e.published:%Y-%m-%d}, more than "
                f"{rules.max_age_days} days ago")
        if rules.no_future and e.published > now:
            add("no_future", f"published {e.published:%Y-%m-%d %H:%M}, in the future")
        if rules.reviewed_translations_only and e.translated_from and not e.reviewed:
            add("reviewed_translations_only", f"machine-translated from {e.translated_from} "
                "and not reviewed by a person (approve or post-edit it, or give this partner "
                "a named feed with reviewed_only)")
        size = len(e.content_html.encode())
        if rules.article_max_bytes is not None and size > rules.article_max_bytes:
            add("article_max_bytes", f"the article is {size} bytes; at most "
                f"{rules.article_max_bytes}")
    return out


def check_feed(rules: RuleSet, language: str, name: str, size: int, items: int) -> list[Finding]:
    """Return what the partner would reject about a whole feed document."""
    out: list[Finding] = []
    if rules.feed_max_bytes is not None and size > rules.feed_max_bytes:
        out.append(Finding(rules.key, language, "feed_max_bytes",
                           f"{name} is {size} bytes; at most {rules.feed_max_bytes}"))
    if rules.max_items is not None and items > rules.max_items:
        out.append(Finding(rules.key, language, "max_items",
                           f"{name} has {items} items; at most {rules.max_items}"))
    return out


def load(own: Path) -> list[RuleSet]:
    """Return the partners' rule sets: built in, and the operator's own (``own``/*.toml)
    replacing a built-in one of the same name."""
    found: dict[str, tuple[str, str]] = {}
    for item in resources.files("syndicate.partners").iterdir():
        if item.name.endswith(".toml"):
            found[item.name.removesuffix(".toml")] = (item.read_text("utf-8"), item.name)
    for path in sorted(own.glob("*.toml")) if own.is_dir() else []:
        found[path.stem] = (path.read_text(encoding="utf-8"), str(path))
    return [parse(key, text, source) for key, (text, source) in sorted(found.items())]
