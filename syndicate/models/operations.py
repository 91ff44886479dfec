"""Operations: tokens and roles, jobs, audit, named feeds, sources and reports."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from ..clock import rfc3339


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

    def summary(self) -> str:
        """Return the run's counts as people read them ("12 done, 1 failed, entries en 3 es
        3"); zeros and empty ones left out."""
        return ", ".join(_counted(key.replace("_", " "), value)
                         for key, value in self.counts.items()
                         if value not in (0, None, [], {})) or "nothing to do"

    def to_dict(self) -> dict[str, Any]:
        """Return the run as JSON-ready data."""
        data = dataclasses.asdict(self)
        for key in ("started", "finished", "queued"):
            data[key] = rfc3339(data[key])
        return data


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


def _counted(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return f"{name}: {'yes' if value else 'no'}"
    if isinstance(value, int | float):
        return f"{value:g} {name}"
    if isinstance(value, dict):
        return f"{name} " + " ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return f"{name} " + ", ".join(str(v) for v in value)
    return f"{name}: {value}"
