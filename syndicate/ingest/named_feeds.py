"""Parse an operator's named feed: which languages, which articles, how, and for whom."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .. import languages as known
from ..errors import ValidationError
from ..models import FeedMode, NamedFeed
from . import schemas

_NAME = re.compile(r"^[a-z][a-z0-9-]{2,39}$")
_RESERVED = frozenset({"archive", "check", "feed.xsl", "opml.xml"})


def check_name(name: str) -> str:
    """Return a feed name usable in /feeds/<name>/<lang>/, or raise ValidationError."""
    if not _NAME.match(name) or name in _RESERVED:
        raise ValidationError.single("name", "must be 3 to 40 lower-case letters, digits or "
                                     "hyphens, starting with a letter")
    try:
        known.resolve(name)
    except known.UnknownLanguage:
        return name
    raise ValidationError.single("name", "must not be a language tag (it would shadow a feed)")


def parse_named_feed(name: str, data: Any, configured: Sequence[str]) -> NamedFeed:
    """Parse {"languages", "categories"?, "producers"?, "entries"?, "max_bytes"?, "public"?,
    "mode"?, "partners"?, "reviewed_only"?} for the feed called name."""
    check_name(name)
    data = schemas.checked_object(data, schemas.NAMED_FEED)
    chosen = []
    for tag in data["languages"]:
        try:
            lang = known.resolve(tag).tag
        except known.UnknownLanguage as exc:
            raise ValidationError.single("languages", str(exc)) from None
        if lang not in configured:
            raise ValidationError.single("languages", f"{tag!r} is not configured "
                                         f"({', '.join(configured)})")
        chosen.append(lang)
    return NamedFeed(
        name=name, languages=tuple(dict.fromkeys(chosen)),
        categories=tuple(data.get("categories", ())), producers=tuple(data.get("producers", ())),
        entries=int(data.get("entries", 50)), max_bytes=int(data.get("max_bytes", 2_000_000)),
        public=bool(data.get("public", False)), mode=FeedMode(data.get("mode", "full")),
        partners=tuple(data.get("partners", ())),
        reviewed_only=bool(data.get("reviewed_only", False)))
