"""Database tables (SQLAlchemy 2 typed models). Portable across SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Store aware datetimes as UTC; SQLite forgets the zone, so put it back on load."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ArticleRow(Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("uq_articles_producer_guid", "producer", "guid", unique=True),
        Index("ix_articles_published_id", "published", "id"),
        Index("ix_articles_retracted", "retracted"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    producer: Mapped[str] = mapped_column(String(100))
    guid: Mapped[str] = mapped_column(String(1000))
    language: Mapped[str] = mapped_column(String(35))
    language_tag: Mapped[str | None] = mapped_column(String(35))  # "en-GB" routed as "en"
    title: Mapped[str] = mapped_column(String(500))
    summary: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(200))
    link: Mapped[str | None] = mapped_column(String(2048))
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    published: Mapped[datetime] = mapped_column(UTCDateTime())
    updated: Mapped[datetime] = mapped_column(UTCDateTime())
    revision: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created: Mapped[datetime] = mapped_column(UTCDateTime())
    retracted: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retraction_reason: Mapped[str | None] = mapped_column(String(500))
    image: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    blocks: Mapped[list[BlockRow]] = relationship(
        order_by="BlockRow.position", cascade="all, delete-orphan", lazy="selectin"
    )


class BlockRow(Base):
    __tablename__ = "article_blocks"

    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    level: Mapped[int | None] = mapped_column(Integer)
    ordered: Mapped[bool | None] = mapped_column()
    html: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))


class TokenRow(Base):
    __tablename__ = "tokens"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TranslationRow(Base):
    """One article in one target language: its state and its current translated content."""

    __tablename__ = "article_translations"
    __table_args__ = (
        Index("ix_article_translations_status", "status", "next_attempt"),
        Index("ix_article_translations_status_requested", "status", "requested"),
    )

    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(35), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    source_revision: Mapped[int] = mapped_column(Integer)  # revision the content is for; 0: none
    title: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    blocks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    engine: Mapped[str | None] = mapped_column(String(50))
    model: Mapped[str | None] = mapped_column(String(300))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    next_attempt: Mapped[datetime | None] = mapped_column(UTCDateTime())
    requested: Mapped[datetime] = mapped_column(UTCDateTime())
    updated: Mapped[datetime | None] = mapped_column(UTCDateTime())
    force: Mapped[bool] = mapped_column(default=False)  # bypass the memory on the next pass
    image_text: Mapped[dict[str, str] | None] = mapped_column(JSON)  # translated alt, caption
    lease_owner: Mapped[str | None] = mapped_column(String(200))  # the worker translating it
    lease_expires: Mapped[datetime | None] = mapped_column(UTCDateTime())
    findings: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # the checks' findings
    confidence: Mapped[float | None] = mapped_column(Float)  # the engine's lowest segment score
    review_decision: Mapped[str | None] = mapped_column(String(20))  # approve, reject, edit
    reviewed_by: Mapped[str | None] = mapped_column(String(100))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    review_note: Mapped[str | None] = mapped_column(Text)
    human_fields: Mapped[list[str] | None] = mapped_column(JSON)  # title, summary a person wrote


class MemoryRow(Base):
    """A translated segment, keyed by engine, model, languages and normalized source text."""

    __tablename__ = "translation_memory"
    __table_args__ = (
        Index("uq_translation_memory_key", "engine", "model", "source_language",
              "target_language", "source_hash", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    engine: Mapped[str] = mapped_column(String(50))
    model: Mapped[str] = mapped_column(String(300))
    source_language: Mapped[str] = mapped_column(String(35))
    target_language: Mapped[str] = mapped_column(String(35))
    source_hash: Mapped[str] = mapped_column(String(64))
    source_text: Mapped[str] = mapped_column(Text)
    target_text: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(UTCDateTime())
    score: Mapped[float | None] = mapped_column(Float)  # the engine's, per token (log-prob)


class EditRow(Base):
    """A human post-edit of one field of a translation; machine passes never overwrite it."""

    __tablename__ = "translation_edits"
    __table_args__ = (Index("ix_translation_edits_article_language", "article_id", "language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(35))
    field: Mapped[str] = mapped_column(String(30))  # "title", "summary", "blocks[3]"
    source_hash: Mapped[str] = mapped_column(String(64))  # the source field it translates
    text: Mapped[str] = mapped_column(Text)
    editor: Mapped[str] = mapped_column(String(100))
    created: Mapped[datetime] = mapped_column(UTCDateTime())
    stale: Mapped[datetime | None] = mapped_column(UTCDateTime())  # when the source moved on


class ArchiveRow(Base):
    """The order in which an article first entered a language's feed (RFC 5005 paging)."""

    __tablename__ = "feed_archive"
    __table_args__ = (
        Index("uq_feed_archive_language_seq", "language", "seq", unique=True),
        Index("ix_feed_archive_article_id", "article_id"),  # the feeds an article is in
        Index("ix_feed_archive_stale", "language", "stale"),  # archive pages to write again
    )

    language: Mapped[str] = mapped_column(String(35), primary_key=True)
    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    added: Mapped[datetime] = mapped_column(UTCDateTime())
    # bumped when the entry changed after its page may have been written (a retraction, a
    # correction, a new translation); the publisher writes that page again and sets it to 0
    stale: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class JobRunRow(Base):
    """One run of a job: scheduled or asked for, its outcome, counts and error."""

    __tablename__ = "job_runs"
    __table_args__ = (
        Index("ix_job_runs_job_started", "job", "started"),
        Index("ix_job_runs_state", "state"),
        # At most one queued-or-running run per job and key: equal requests join it.
        Index("uq_job_runs_active_key", "job", "coalesce_key", unique=True,
              sqlite_where=text("state IN ('queued', 'running')"),
              postgresql_where=text("state IN ('queued', 'running')")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(50))
    trigger: Mapped[str] = mapped_column(String(20))  # "scheduled", "manual", "event"
    requested_by: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20))  # queued, running, succeeded, failed
    started: Mapped[datetime] = mapped_column(UTCDateTime())
    finished: Mapped[datetime | None] = mapped_column(UTCDateTime())
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    error: Mapped[str | None] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    coalesce_key: Mapped[str | None] = mapped_column(String(300))
    queued: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_owner: Mapped[str | None] = mapped_column(String(200))  # the process running it
    lease_expires: Mapped[datetime | None] = mapped_column(UTCDateTime())


class FeedStateRow(Base):
    """One language's feed: what changed (version) against what is published, and numbering.

    Changes bump ``version`` in their own transaction; the publisher renders a feed whose
    ``version`` is ahead of ``published_version`` and then records the version it rendered, so
    a change made while it renders is never lost. ``next_seq`` numbers entries as they become
    publishable (an atomic increment: race-free across hosts).
    """

    __tablename__ = "feed_state"

    language: Mapped[str] = mapped_column(String(35), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    published_version: Mapped[int] = mapped_column(Integer, default=0)
    next_seq: Mapped[int] = mapped_column(Integer, default=0)  # the last number given out
    archived_pages: Mapped[int] = mapped_column(Integer, default=0)  # full pages written
    published: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # when the published documents go stale by themselves (the oldest tombstone expiring)
    expires: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SessionRow(Base):
    """A signed-in operator's dashboard session (only a hash of its id is kept)."""

    __tablename__ = "dashboard_sessions"
    __table_args__ = (Index("ix_dashboard_sessions_token", "token"),)

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    token: Mapped[str] = mapped_column(ForeignKey("tokens.name", ondelete="CASCADE"))
    csrf: Mapped[str] = mapped_column(String(64))
    created: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime())


class HeldRow(Base):
    """An entry held out of a language's feed until its embargo ends (then it is numbered)."""

    __tablename__ = "feed_held"
    __table_args__ = (Index("ix_feed_held_language_release", "language", "release_at"),)

    language: Mapped[str] = mapped_column(String(35), primary_key=True)
    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    release_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RateBucketRow(Base):
    """A token's write allowance, shared by every web worker and host."""

    __tablename__ = "rate_buckets"

    token: Mapped[str] = mapped_column(String(100), primary_key=True)
    tokens: Mapped[float] = mapped_column(Float)
    updated: Mapped[datetime] = mapped_column(UTCDateTime())


class NamedFeedRow(Base):
    """A feed made for a partner or a category: a filter over the language feeds."""

    __tablename__ = "named_feeds"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    languages: Mapped[list[str]] = mapped_column(JSON)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    producers: Mapped[list[str]] = mapped_column(JSON, default=list)
    entries: Mapped[int] = mapped_column(Integer)
    max_bytes: Mapped[int] = mapped_column(Integer)
    public: Mapped[bool] = mapped_column()
    mode: Mapped[str] = mapped_column(String(20))  # full, summary, bilingual
    partners: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty: any partner key
    reviewed_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    created: Mapped[datetime] = mapped_column(UTCDateTime())


class PartnerRow(Base):
    """A partner's key for non-public feeds (only its hash is stored)."""

    __tablename__ = "partners"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PullRow(Base):
    """Pulls of a named feed by a partner ("public" when no key was sent)."""

    __tablename__ = "feed_pulls"

    partner: Mapped[str] = mapped_column(String(100), primary_key=True)
    feed: Mapped[str] = mapped_column(String(40), primary_key=True)
    language: Mapped[str] = mapped_column(String(35), primary_key=True)
    requests: Mapped[int] = mapped_column(Integer)
    not_modified: Mapped[int] = mapped_column(Integer)
    last_pull: Mapped[datetime] = mapped_column(UTCDateTime())


class AuditRow(Base):
    """One operator action: who, what, with which parameters, when, and how it ended."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_created", "created"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    outcome: Mapped[str] = mapped_column(String(200))
    created: Mapped[datetime] = mapped_column(UTCDateTime())


class CounterRow(Base):
    """A monotonic counter for /metrics, shared by every process through the database."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[float] = mapped_column(Float)


class InstanceRow(Base):
    """A fact every process of one instance reads alike (the public URL its documents use)."""

    __tablename__ = "instance"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SourceRow(Base):
    """An upstream feed syndicate polls, and the state its polls left."""

    __tablename__ = "sources"
    __table_args__ = (Index("ix_sources_paused_next_fetch", "paused", "next_fetch"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    producer: Mapped[str] = mapped_column(String(100), unique=True)  # its own guid namespace
    language: Mapped[str | None] = mapped_column(String(35))
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    interval: Mapped[int | None] = mapped_column(Integer)
    allow_hosts: Mapped[list[str]] = mapped_column(JSON, default=list)
    paused: Mapped[bool] = mapped_column(default=False)
    flagged: Mapped[str | None] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(UTCDateTime())
    next_fetch: Mapped[datetime] = mapped_column(UTCDateTime())
    last_fetch: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[int | None] = mapped_column(Integer)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(String(100))
    errors: Mapped[int] = mapped_column(Integer, default=0)
    feed_errors: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    entries_ingested: Mapped[int] = mapped_column(Integer, default=0)
    last_note: Mapped[str | None] = mapped_column(Text)
