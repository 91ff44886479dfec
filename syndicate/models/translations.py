"""Translations: their states, blocks, findings, reviews and routes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from .articles import Block, BlockType


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
    human: frozenset[str] = frozenset()  # the fields other than blocks a person wrote

    @property
    def passed(self) -> bool:
        """Say whether no check gave the stored content an error."""
        return not any(f.severity is Severity.ERROR for f in self.findings)


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
class Route:
    """How one language pair is translated: the engine, and the model(s) in order."""

    engine: str
    source: str
    target: str
    model: str  # e.g. "translate-en_es@1.9", or "translate-es_en@1.0>translate-en_fr@1.0"
