"""Queries for publishing: what each language's feed may show, and the archive order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Article, Translation, TranslationStatus
from .articles import to_entity as article_entity
from .schema import ArchiveRow, ArticleRow, TranslationRow
from .translations import to_entity as translation_entity


def publishable(session: Session, language: str
                ) -> list[tuple[Article, Translation | None]]:
    """Return live articles that exist in a language: written in it, or completely translated
    into it for their current revision (an incomplete translation is never published)."""
    own = session.scalars(select(ArticleRow).where(ArticleRow.retracted.is_(None),
                                                   ArticleRow.language == language))
    out: list[tuple[Article, Translation | None]] = [(article_entity(a), None) for a in own]
    translated = session.execute(
        select(ArticleRow, TranslationRow)
        .join(TranslationRow, TranslationRow.article_id == ArticleRow.id)
        .where(ArticleRow.retracted.is_(None), TranslationRow.language == language,
               TranslationRow.status == TranslationStatus.DONE,
               TranslationRow.source_revision == ArticleRow.revision)
    )
    out += [(article_entity(a), translation_entity(t)) for a, t in translated]
    return out


def sequence(session: Session, language: str, article_ids: Sequence[str],
             now: datetime) -> dict[str, int]:
    """Give articles new to a language's feed the next numbers; return every number in it."""
    rows = session.execute(select(ArchiveRow.article_id, ArchiveRow.seq)
                           .where(ArchiveRow.language == language))
    known: dict[str, int] = {article_id: seq for article_id, seq in rows}
    top = session.scalar(select(func.max(ArchiveRow.seq))
                         .where(ArchiveRow.language == language)) or 0
    for article_id in article_ids:
        if article_id not in known:
            top += 1
            session.add(ArchiveRow(language=language, article_id=article_id, seq=top, added=now))
            known[article_id] = top
    session.flush()
    return known


def archived_ids(session: Session, language: str, first: int, last: int) -> list[str]:
    """Return the article ids numbered first..last in a language, oldest first."""
    return list(session.scalars(select(ArchiveRow.article_id)
                                .where(ArchiveRow.language == language,
                                       ArchiveRow.seq.between(first, last))
                                .order_by(ArchiveRow.seq)))


def versions(session: Session, article_id: str
             ) -> tuple[Article, dict[str, Translation | None]] | None:
    """Return a live article and each language it is published in (None: its own language)."""
    row = session.get(ArticleRow, article_id)
    if row is None or row.retracted is not None:
        return None
    out: dict[str, Translation | None] = {row.language: None}
    done = session.scalars(select(TranslationRow).where(
        TranslationRow.article_id == article_id,
        TranslationRow.status == TranslationStatus.DONE,
        TranslationRow.source_revision == row.revision))
    out.update({t.language: translation_entity(t) for t in done})
    return article_entity(row), out
