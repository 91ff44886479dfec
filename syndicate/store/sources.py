"""Upstream sources and the state their polls leave."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound, ValidationError
from ..models import Source, SourceInput
from .schema import SourceRow, TokenRow

STATE = frozenset({"allow_hosts", "next_fetch", "last_fetch", "last_status", "etag",
                   "last_modified", "errors", "feed_errors", "last_error", "entries_ingested",
                   "last_note", "paused", "flagged", "url", "language", "interval", "categories"})


def add(session: Session, data: SourceInput, now: datetime) -> Source:
    """Register a source, due at once; Conflict when its URL is registered already.

    The producer name is the source's own guid namespace: one a token or another source
    holds is refused; without one, the feed's host is taken (``host-2``… when held)."""
    if session.scalar(select(SourceRow.id).where(SourceRow.url == data.url)) is not None:
        raise Conflict(f"a source with URL {data.url!r} exists already")
    if data.producer is not None:
        holder = producer_holder(session, data.producer)
        if holder is not None:
            raise ValidationError.single("producer", f"{data.producer!r} is {holder}'s name; "
                                         "a source's entries must not overwrite another's "
                                         "articles: choose another producer name")
        producer = data.producer
    else:
        base = (urlsplit(data.url).hostname or "feed")[:90]
        producer, number = base, 1
        while producer_holder(session, producer) is not None:
            number += 1
            producer = f"{base}-{number}"
    row = SourceRow(url=data.url, producer=producer, language=data.language,
                    categories=list(data.categories), interval=data.interval,
                    allow_hosts=list(data.allow_hosts), paused=False, flagged=None, created=now,
                    next_fetch=now, errors=0, feed_errors=0, entries_ingested=0)
    session.add(row)
    session.flush()
    return _entity(row)


def producer_holder(session: Session, name: str) -> str | None:
    """Say who holds a producer name ("a token", "source N"), or None when it is free."""
    if session.get(TokenRow, name) is not None:
        return "a token"
    held = session.scalar(select(SourceRow.id).where(SourceRow.producer == name))
    return f"source {held}" if held is not None else None


def get(session: Session, source_id: int) -> Source:
    """Return a source or raise NotFound."""
    return _entity(_row(session, source_id))


def all_sources(session: Session) -> list[Source]:
    """Return every source, oldest first."""
    return [_entity(r) for r in session.scalars(select(SourceRow).order_by(SourceRow.id))]


def active(session: Session) -> list[Source]:
    """Return the sources that are not paused."""
    return [_entity(r) for r in session.scalars(
        select(SourceRow).where(SourceRow.paused.is_(False)).order_by(SourceRow.id))]


def update(session: Session, source_id: int, changes: Mapping[str, Any]) -> Source:
    """Change a source's state fields (see STATE)."""
    unknown = set(changes) - STATE
    if unknown:
        raise ValueError(f"not a source state field: {sorted(unknown)}")
    row = _row(session, source_id)
    for key, value in changes.items():
        setattr(row, key, value)
    session.flush()
    return _entity(row)


def delete(session: Session, source_id: int) -> Source:
    """Remove a source (the articles it brought stay)."""
    row = _row(session, source_id)
    source = _entity(row)
    session.delete(row)
    return source


def _row(session: Session, source_id: int) -> SourceRow:
    row = session.get(SourceRow, source_id)
    if row is None:
        raise NotFound(f"no source {source_id}")
    return row


def _entity(row: SourceRow) -> Source:
    return Source(
        id=row.id, url=row.url, producer=row.producer, language=row.language,
        categories=tuple(row.categories or ()), interval=row.interval,
        allow_hosts=tuple(row.allow_hosts or ()), paused=row.paused, flagged=row.flagged,
        created=row.created, next_fetch=row.next_fetch, last_fetch=row.last_fetch,
        last_status=row.last_status, etag=row.etag, last_modified=row.last_modified,
        errors=row.errors, feed_errors=row.feed_errors, last_error=row.last_error,
        entries_ingested=row.entries_ingested, last_note=row.last_note)
