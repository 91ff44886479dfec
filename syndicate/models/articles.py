"""Articles: what producers send and what is stored, block by block."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class BlockType(StrEnum):
    """The kinds of body block an article is made of."""

    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST = "list"
    QUOTE = "quote"


@dataclass(frozen=True)
class Block:
    """One body block: its kind and sanitized inline HTML (list items for a list)."""

    type: BlockType
    html: str
    level: int | None = None  # headings only: 1-6
    ordered: bool | None = None  # lists only

    def content_hash(self) -> str:
        """Return a hash that changes exactly when the block's content changes."""
        payload = json.dumps([self.type.value, self.level, self.ordered, self.html])
        return hashlib.sha256(payload.encode()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """Return the block as the API shows it."""
        out: dict[str, Any] = {"type": self.type.value, "html": self.html}
        if self.level is not None:
            out["level"] = self.level
        if self.ordered is not None:
            out["ordered"] = self.ordered
        return out


@dataclass(frozen=True)
class Image:
    """An article's lead image: where it is, what it shows, and whose it is."""

    url: str
    alt: str | None = None
    caption: str | None = None
    credit: str | None = None
    width: int | None = None
    height: int | None = None
    type: str | None = None  # the MIME type, e.g. image/jpeg

    def to_dict(self) -> dict[str, Any]:
        """Return the image as the API and the store show it (set fields only)."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Image:
        """Rebuild an image stored by to_dict."""
        return cls(**data)


@dataclass(frozen=True)
class ArticleInput:
    """An article as a producer sent it, parsed and validated at the boundary."""

    guid: str
    title: str
    language: str
    blocks: tuple[Block, ...]
    summary: str | None = None
    author: str | None = None
    link: str | None = None
    categories: tuple[str, ...] = ()
    published: datetime | None = None
    updated: datetime | None = None
    image: Image | None = None
    language_stated: bool = True  # False: the producer named none; ``language`` is a fallback
    language_tag: str | None = None  # the stated tag when it names a region ("en-GB")

    def fingerprint(self) -> str:
        """Return a hash of everything the producer controls, to tell updates from repeats."""
        payload = json.dumps(
            [
                self.title, self.language, self.summary, self.author, self.link,
                list(self.categories),
                self.published.isoformat() if self.published else None,
                self.updated.isoformat() if self.updated else None,
                [b.content_hash() for b in self.blocks],
                *([self.image.to_dict()] if self.image else []),
                *([self.language_tag] if self.language_tag else []),
            ]
        )
        return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class Article:
    """A stored article at its current revision."""

    id: str
    producer: str
    guid: str
    language: str
    title: str
    blocks: tuple[Block, ...]
    summary: str | None
    author: str | None
    link: str | None
    categories: tuple[str, ...]
    published: datetime
    updated: datetime
    revision: int
    fingerprint: str
    created: datetime
    retracted: datetime | None = None
    translations: dict[str, str] = field(default_factory=dict)
    image: Image | None = None
    checks: dict[str, bool] = field(default_factory=dict)  # language: no check found an error
    language_tag: str | None = None  # the tag it was written under, when more than language

    @property
    def block_hashes(self) -> tuple[str, ...]:
        """Return the content hash of each block, in order."""
        return tuple(b.content_hash() for b in self.blocks)


class IngestOutcome(StrEnum):
    """What an ingest did to the store."""

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class IngestResult:
    """The stored article and what the ingest did."""

    article: Article
    outcome: IngestOutcome


@dataclass(frozen=True)
class Edit:
    """A human post-edit of one field ("title", "summary", "blocks[3]") of a translation."""

    id: int
    field: str
    source_hash: str
    text: str
    editor: str
    created: datetime
    stale: datetime | None


@dataclass(frozen=True)
class EditInput:
    """Post-edits sent by an operator, parsed and sanitized."""

    fields: dict[str, str]  # field name -> text (plain for title/summary, HTML for blocks)
