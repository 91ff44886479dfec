"""Queries for translations per (article, language) and their human post-edits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import Article, Edit, Origin, TranslatedBlock, Translation, TranslationStatus
from .articles import to_entity as article_entity
from .schema import ArticleRow, EditRow, TranslationRow

MAX_BACKOFF = timedelta(hours=1)
FIRST_BACKOFF = timedelta(seconds=30)


def request(session: Session, article: Article, languages: Iterable[str], now: datetime, *,
            again: bool = False) -> None:
    """Ask for the article's current revision in each language (keeping earlier content);
    ``again`` asks even where that translation is done already."""
    for language in languages:
        row = session.get(TranslationRow, (article.id, language))
        if row is None:
            row = TranslationRow(article_id=article.id, language=language, source_revision=0,
                                 blocks=[], attempts=0)
            session.add(row)
        elif (not again and row.status == TranslationStatus.DONE
              and row.source_revision == article.revision):
            continue
        row.status = TranslationStatus.PENDING
        row.attempts = 0
        row.error = None
        row.next_attempt = None
        row.requested = now
    session.flush()


def due(session: Session, now: datetime, limit: int,
        articles: Sequence[str] | None = None) -> list[tuple[Translation, Article]]:
    """Return translations to work on now, with their articles (retracted ones wait)."""
    query = (
        select(TranslationRow, ArticleRow)
        .join(ArticleRow, ArticleRow.id == TranslationRow.article_id)
        .where(ArticleRow.retracted.is_(None))
        .where(or_(
            TranslationRow.status.in_([TranslationStatus.PENDING, TranslationStatus.UNAVAILABLE]),
            and_(TranslationRow.status == TranslationStatus.FAILED,
                 TranslationRow.next_attempt <= now),
        ))
        .order_by(TranslationRow.requested, TranslationRow.article_id)
        .limit(limit)
    )
    if articles is not None:
        query = query.where(TranslationRow.article_id.in_(list(articles)))
    return [(to_entity(t), article_entity(a)) for t, a in session.execute(query)]


def save_done(session: Session, article_id: str, language: str, revision: int, *,
              title: str, summary: str | None, blocks: list[TranslatedBlock], engine: str,
              model: str, now: datetime) -> bool:
    """Store a complete translation unless the article moved on meanwhile; say if stored."""
    article = session.get(ArticleRow, article_id)
    row = session.get(TranslationRow, (article_id, language))
    if article is None or row is None or article.revision != revision:
        return False
    stored = [b.to_dict() for b in blocks]
    if (row.title, row.summary, row.blocks) != (title, summary, stored) or row.updated is None:
        row.updated = now
    row.title, row.summary, row.blocks = title, summary, stored
    row.status = TranslationStatus.DONE
    row.source_revision = revision
    row.engine, row.model = engine, model
    row.attempts, row.error, row.next_attempt = 0, None, None
    return True


def mark(session: Session, keys: Iterable[tuple[str, str]], status: TranslationStatus,
         error: str, now: datetime) -> None:
    """Mark translations failed (with backoff) or unavailable, with the reason."""
    for key in keys:
        row = session.get(TranslationRow, key)
        if row is None:
            continue
        row.status = status
        row.error = error
        if status is TranslationStatus.FAILED:
            row.attempts += 1
            delay = min(FIRST_BACKOFF * 2 ** (row.attempts - 1), MAX_BACKOFF)
            row.next_attempt = now + delay


def apply_edits(session: Session, article_id: str, language: str, revision: int,
                fields: dict[str, str], now: datetime) -> bool:
    """Put post-edits into a done translation of this revision; say whether it was there."""
    row = session.get(TranslationRow, (article_id, language))
    if row is None or row.status != TranslationStatus.DONE or row.source_revision != revision:
        return False
    blocks = [dict(b) for b in row.blocks or []]
    for field, text in fields.items():
        if field == "title":
            row.title = text
        elif field == "summary":
            row.summary = text
        else:
            index = int(field[len("blocks["):-1])
            blocks[index].update(html=text, origin=Origin.HUMAN.value)
    row.blocks = blocks
    row.updated = now
    return True


def get(session: Session, article_id: str, language: str) -> Translation:
    """Return the translation or raise NotFound."""
    row = session.get(TranslationRow, (article_id, language))
    if row is None:
        raise NotFound(f"article {article_id!r} has no translation into {language!r}")
    return to_entity(row)


def statuses(session: Session, article_id: str) -> dict[str, str]:
    """Return language -> status for one article."""
    rows = session.scalars(select(TranslationRow).where(TranslationRow.article_id == article_id)
                           .order_by(TranslationRow.language))
    return {r.language: r.status for r in rows}


def add_edits(session: Session, article_id: str, language: str,
              fields: dict[str, tuple[str, str]], editor: str, now: datetime) -> None:
    """Store post-edits: field -> (source hash it translates, text)."""
    for field, (source_hash, text) in fields.items():
        session.add(EditRow(article_id=article_id, language=language, field=field,
                            source_hash=source_hash, text=text, editor=editor, created=now))
    session.flush()


def edits(session: Session, article_id: str, language: str) -> list[Edit]:
    """Return every post-edit of the translation, oldest first (the history)."""
    rows = session.scalars(select(EditRow).where(EditRow.article_id == article_id,
                                                 EditRow.language == language)
                           .order_by(EditRow.id))
    return [Edit(r.id, r.field, r.source_hash, r.text, r.editor, r.created, r.stale)
            for r in rows]


def mark_stale(session: Session, edit_ids: Iterable[int], now: datetime) -> None:
    """Flag post-edits whose source field has changed since they were written."""
    for edit_id in edit_ids:
        row = session.get(EditRow, edit_id)
        if row is not None and row.stale is None:
            row.stale = now


def to_entity(row: TranslationRow) -> Translation:
    """Return the entity for a row."""
    blocks: list[dict[str, Any]] = row.blocks or []
    return Translation(
        article_id=row.article_id, language=row.language,
        status=TranslationStatus(row.status), source_revision=row.source_revision,
        title=row.title, summary=row.summary,
        blocks=tuple(TranslatedBlock.from_dict(b) for b in blocks), engine=row.engine,
        model=row.model, attempts=row.attempts, error=row.error,
        next_attempt=row.next_attempt, requested=row.requested, updated=row.updated,
    )


def counts(session: Session) -> dict[str, dict[str, int]]:
    """Return language -> status -> number of live articles."""
    rows = session.execute(
        select(TranslationRow.language, TranslationRow.status, func.count())
        .join(ArticleRow, ArticleRow.id == TranslationRow.article_id)
        .where(ArticleRow.retracted.is_(None))
        .group_by(TranslationRow.language, TranslationRow.status))
    out: dict[str, dict[str, int]] = {}
    for language, status, number in rows:
        out.setdefault(language, {})[status] = number
    return out
