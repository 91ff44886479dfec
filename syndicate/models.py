"""Entities and input types: the nouns every layer shares."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from .clock import rfc3339


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


class Role(StrEnum):
    """What a token may do: operators may do everything producers and reviewers may;
    reviewers only read translations, review and post-edit them."""

    PRODUCER = "producer"
    OPERATOR = "operator"
    REVIEWER = "reviewer"

    def allows(self, needed: Role) -> bool:
        """Return whether this role may act where ``needed`` is required."""
        return self is Role.OPERATOR or self is needed


@dataclass(frozen=True)
class Token:
    """An API token's record; the secret itself is never stored."""

    name: str
    role: Role
    created: datetime
    revoked: datetime | None = None

    @property
    def active(self) -> bool:
        """Return whether the token still opens the API."""
        return self.revoked is None


class TranslationStatus(StrEnum):
    """Where one article stands in one target language."""

    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"
    UNAVAILABLE = "unavailable"
    HELD = "held"  # translated, kept out of every feed until a person approves it
    REJECTED = "rejected"  # a person refused it: out until the source or the model changes


class ReviewMode(StrEnum):
    """How much of a language's machine translation a person sees before it is published."""

    NONE = "none"  # publish; the checks' findings are recorded
    FAILED = "failed"  # hold what a check gives an error
    ALL = "all"  # hold every machine translation until approved


class Origin(StrEnum):
    """Who wrote a translated field."""

    MACHINE = "machine"
    HUMAN = "human"


@dataclass(frozen=True)
class TranslatedBlock:
    """A translated body block, the source block it translates, and who wrote it."""

    type: BlockType
    html: str
    source_hash: str
    origin: Origin
    level: int | None = None
    ordered: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the block as the API and the store show it."""
        out = Block(self.type, self.html, self.level, self.ordered).to_dict()
        out.update(source_hash=self.source_hash, origin=self.origin.value)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TranslatedBlock:
        """Rebuild a block stored by to_dict."""
        return cls(BlockType(data["type"]), data["html"], data["source_hash"],
                   Origin(data["origin"]), data.get("level"), data.get("ordered"))


class Severity(StrEnum):
    """How much a translation check's finding weighs."""

    ERROR = "error"  # not fit to publish unseen
    WARNING = "warning"  # worth a look


@dataclass(frozen=True)
class Finding:
    """What a translation check found in one field: ``block`` is the block's index."""

    check: str
    severity: Severity
    field: str
    block: int | None
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """Return the finding as stored and shown: {check, severity, field, block, detail}."""
        return {"check": self.check, "severity": self.severity.value, "field": self.field,
                "block": self.block, "detail": self.detail}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        """Return the finding stored as data."""
        return cls(data["check"], Severity(data["severity"]), data["field"], data["block"],
                   data["detail"])


@dataclass(frozen=True)
class Review:
    """A person's decision on a translation: approve (publish) or reject (keep it out)."""

    decision: str  # approve, reject, edit
    by: str
    at: datetime
    note: str | None = None


@dataclass(frozen=True)
class Translation:
    """An article in one target language: status and the content of the last good pass."""

    article_id: str
    language: str
    status: TranslationStatus
    source_revision: int
    title: str | None
    summary: str | None
    blocks: tuple[TranslatedBlock, ...]
    engine: str | None
    model: str | None
    attempts: int
    error: str | None
    next_attempt: datetime | None
    requested: datetime
    updated: datetime | None
    force: bool = False  # the next pass bypasses the translation memory
    image_text: dict[str, str] = field(default_factory=dict)  # translated alt and caption
    findings: tuple[Finding, ...] = ()  # what the checks found when it was stored
    review: Review | None = None  # the last person's decision on this revision
    confidence: float | None = None  # the engine's lowest segment score (log-prob per token)

    @property
    def passed(self) -> bool:
        """Say whether no check gave the stored content an error."""
        return not any(f.severity is Severity.ERROR for f in self.findings)


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


@dataclass(frozen=True)
class TranslateReport:
    """What one translation pass did."""

    done: int = 0
    failed: int = 0
    unavailable: int = 0
    segments: int = 0
    memory_hits: int = 0
    translated: int = 0  # segments sent to the engine
    held: int = 0  # translated, held for review (not in done)


@dataclass(frozen=True)
class JobRun:
    """One run of a job, as the operator endpoints show it."""

    id: int
    job: str
    trigger: str
    requested_by: str | None
    state: str
    started: datetime
    finished: datetime | None
    counts: dict[str, Any]
    error: str | None
    params: dict[str, Any] = field(default_factory=dict)
    queued: datetime | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One operator action."""

    id: int
    actor: str
    action: str
    params: dict[str, Any]
    outcome: str
    created: datetime


@dataclass(frozen=True)
class PublishReport:
    """What one publish did."""

    written: tuple[str, ...] = ()  # paths relative to the feeds folder
    unchanged: int = 0
    entries: dict[str, int] = field(default_factory=dict)  # language -> entries in its feed
    notified: int = 0


@dataclass(frozen=True)
class Route:
    """How one language pair is translated: the engine, and the model(s) in order."""

    engine: str
    source: str
    target: str
    model: str  # e.g. "translate-en_es@1.9", or "translate-es_en@1.0>translate-en_fr@1.0"


class FeedMode(StrEnum):
    """What a named feed's entries carry."""

    FULL = "full"
    SUMMARY = "summary"
    BILINGUAL = "bilingual"  # each block followed by its translation


@dataclass(frozen=True)
class NamedFeed:
    """A feed made for a partner or a category, published at /feeds/<name>/<lang>/."""

    name: str
    languages: tuple[str, ...]
    categories: tuple[str, ...] = ()  # any of them (empty: every category)
    producers: tuple[str, ...] = ()  # any of them (empty: every producer)
    entries: int = 50
    max_bytes: int = 2_000_000  # Google News' limit
    public: bool = False  # else a partner key is needed
    mode: FeedMode = FeedMode.FULL
    partners: tuple[str, ...] = ()  # who may pull it (empty: any partner key)
    reviewed_only: bool = False  # only translations a person approved or post-edited


@dataclass(frozen=True)
class FeedPulls:
    """How a partner pulls a named feed in one language."""

    partner: str
    feed: str
    language: str
    requests: int
    not_modified: int
    last_pull: datetime


@dataclass(frozen=True)
class SourceInput:
    """An upstream feed an operator registers, parsed at the boundary."""

    url: str
    producer: str | None  # its own guid namespace (None: the feed's host, made unique)
    language: str | None = None  # None: the feed's own, else detected per entry
    categories: tuple[str, ...] = ()  # added to every entry's own
    interval: int | None = None  # seconds between polls (None: SYNDICATE_SOURCE_INTERVAL)
    allow_hosts: tuple[str, ...] = ()  # hosts or networks this source may reach though private


@dataclass(frozen=True)
class Source:
    """A registered upstream feed and what its last polls found."""

    id: int
    url: str
    producer: str
    language: str | None
    categories: tuple[str, ...]
    interval: int | None
    allow_hosts: tuple[str, ...]
    paused: bool
    flagged: str | None  # why it was paused by the poller (operators must look)
    created: datetime
    next_fetch: datetime
    last_fetch: datetime | None = None
    last_status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    errors: int = 0  # consecutive failures
    feed_errors: int = 0  # consecutive failures that are the feed's fault (pause after N)
    last_error: str | None = None
    entries_ingested: int = 0
    last_note: str | None = None  # what the last good poll left out (duplicates, held, cut)

    def to_dict(self) -> dict[str, Any]:
        """Return the source as JSON-ready data."""
        data = dataclasses.asdict(self)
        for key in ("created", "next_fetch", "last_fetch"):
            value = data[key]
            data[key] = rfc3339(value)
        data["categories"], data["allow_hosts"] = list(self.categories), list(self.allow_hosts)
        return data


@dataclass(frozen=True)
class PollReport:
    """What one pass over the due sources did."""

    polled: int = 0
    not_modified: int = 0
    failed: int = 0
    created: int = 0
    updated: int = 0
    held: int = 0

    def plus(self, other: PollReport) -> PollReport:
        """Return the sum of two reports."""
        return PollReport(*(getattr(self, f.name) + getattr(other, f.name)
                            for f in dataclasses.fields(self)))
