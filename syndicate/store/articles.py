"""Queries for articles: upsert by (producer, guid), read, page, retract."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ..errors import NotFound, ValidationError
from ..models import (
    Article,
    ArticleInput,
    Block,
    BlockType,
    Image,
    IngestOutcome,
    IngestResult,
)
from .schema import ArticleRow, BlockRow


@dataclass(frozen=True)
class Page:
    """One page of articles, newest first, and the cursor of the next page."""

    items: tuple[Article, ...]
    next_cursor: str | None


def upsert(session: Session, data: ArticleInput, producer: str, now: datetime, *,
           revive: bool = True) -> IngestResult:
    """Create the article, or update it when its content differs; bump the revision on change.
    A retracted article comes back only when ``revive`` (a producer sending it again; a feed
    still listing an entry an operator took down does not)."""
    return upsert_many(session, [data], producer, now, revive=revive)[0]


def upsert_many(session: Session, items: Sequence[ArticleInput], producer: str, now: datetime,
                *, revive: bool = True) -> list[IngestResult]:
    """Upsert several articles of one producer: one query finds those stored already, one
    flush writes them all (see upsert)."""
    found = {row.guid: row for row in session.scalars(
        select(ArticleRow).where(ArticleRow.producer == producer,
               ArticleRow.guid.in_(list({d.guid for d in items}))))}
    done: list[tuple[ArticleRow, IngestOutcome]] = []
    for data in items:
        row = found.get(data.guid)
        fingerprint = data.fingerprint()
        if row is None:
            row = ArticleRow(id=uuid.uuid4().hex, producer=producer, guid=data.guid, revision=1,
                             created=now, published=data.published or now)
            _apply(row, data, fingerprint, now)
            session.add(row)
            found[data.guid] = row
            done.append((row, IngestOutcome.CREATED))
        elif (row.fingerprint == fingerprint and row.retracted is None) or \
                (row.retracted is not None and not revive):
            done.append((row, IngestOutcome.UNCHANGED))
        else:
            row.revision += 1
            row.retracted = None  # sending a retracted article again brings it back
            row.retraction_reason = None
            if data.published is not None:
                row.published = data.published
            _apply(row, data, fingerprint, now)
            done.append((row, IngestOutcome.UPDATED))
    session.flush()
    return [IngestResult(to_entity(row), outcome) for row, outcome in done]


def get(session: Session, article_id: str) -> Article:
    """Return the article with this id or raise NotFound."""
    row = session.get(ArticleRow, article_id)
    if row is None:
        raise NotFound(f"no article with id {article_id!r}")
    return to_entity(row)


def page(session: Session, *, limit: int, cursor: str | None,
         include_retracted: bool, producer: str | None = None) -> Page:
    """Return articles newest first (by published time, then id), after the cursor; only
    one producer's when named."""
    query = select(ArticleRow).order_by(ArticleRow.published.desc(), ArticleRow.id.desc())
    if producer is not None:
        query = query.where(ArticleRow.producer == producer)
    if not include_retracted:
        query = query.where(ArticleRow.retracted.is_(None))
    if cursor is not None:
        published, last_id = _decode_cursor(cursor)
        query = query.where(or_(ArticleRow.published < published,
                                and_(ArticleRow.published == published, ArticleRow.id < last_id)))
    rows = list(session.scalars(query.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _encode_cursor(rows[-1]) if more and rows else None
    return Page(tuple(to_entity(r) for r in rows), next_cursor)


def count_by_language(session: Session) -> dict[str, int]:
    """Return language -> number of live articles written in it."""
    rows = session.execute(select(ArticleRow.language, func.count())
                           .where(ArticleRow.retracted.is_(None))
                           .group_by(ArticleRow.language))
    return {language: number for language, number in rows}


def live_ids(session: Session) -> list[str]:
    """Return the ids of every article not retracted, oldest first."""
    return list(session.scalars(select(ArticleRow.id).where(ArticleRow.retracted.is_(None))
                                .order_by(ArticleRow.published, ArticleRow.id)))


def retract(session: Session, article_id: str, now: datetime,
            reason: str | None = None) -> Article:
    """Mark the article retracted (kept in the store); retracting twice changes nothing."""
    row = session.get(ArticleRow, article_id)
    if row is None:
        raise NotFound(f"no article with id {article_id!r}")
    if row.retracted is None:
        row.retracted = now
        row.retraction_reason = reason
        session.flush()
    return to_entity(row)


def to_entity(row: ArticleRow) -> Article:
    """Return the entity for a row."""
    return Article(
        id=row.id, producer=row.producer, guid=row.guid, language=row.language, title=row.title,
        blocks=tuple(Block(BlockType(b.kind), b.html, level=b.level, ordered=b.ordered)
                     for b in row.blocks),
        summary=row.summary, author=row.author, link=row.link,
        categories=tuple(row.categories or ()), published=row.published, updated=row.updated,
        revision=row.revision, fingerprint=row.fingerprint, created=row.created,
        retracted=row.retracted, image=Image.from_dict(row.image) if row.image else None,
        language_tag=row.language_tag,
    )


def _apply(row: ArticleRow, data: ArticleInput, fingerprint: str, now: datetime) -> None:
    row.language = data.language
    row.language_tag = data.language_tag
    row.title = data.title
    row.summary = data.summary
    row.author = data.author
    row.link = data.link
    row.categories = list(data.categories)
    row.updated = data.updated or now
    row.fingerprint = fingerprint
    row.image = data.image.to_dict() if data.image else None
    row.blocks = [
        BlockRow(position=i, kind=b.type.value, level=b.level, ordered=b.ordered, html=b.html,
                 content_hash=b.content_hash())
        for i, b in enumerate(data.blocks)
    ]


def _encode_cursor(row: ArticleRow) -> str:
    raw = json.dumps([row.published.isoformat(), row.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        published, last_id = json.loads(raw)
        return datetime.fromisoformat(published), str(last_id)
    except (ValueError, TypeError) as exc:
        raise ValidationError.single("cursor", f"is not a cursor this API gave out: {exc}")\
            from None
