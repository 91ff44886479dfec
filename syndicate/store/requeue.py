"""Work that goes back to the translation queue when the models change: unavailable pairs
that can now be served, held or rejected work a new model gets a chance at, and everything a
removed or replaced model made."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from ..models import TranslationStatus
from .notify import notify
from .schema import ArticleRow, TranslationRow
from .translations import WITH_CONTENT


def requeue_unavailable(session: Session, pairs: Iterable[tuple[str, str]]) -> int:
    """Put unavailable work of pairs that can now be served back in the queue."""
    moved = 0
    for source, target in pairs:
        result = session.execute(
            update(TranslationRow)
            .where(TranslationRow.status == TranslationStatus.UNAVAILABLE,
                   TranslationRow.language == target,
                   TranslationRow.article_id.in_(
                       select(ArticleRow.id).where(ArticleRow.language == source)))
            .values(status=TranslationStatus.PENDING, error=None, next_attempt=None)
            .execution_options(synchronize_session=False))
        moved += int(result.rowcount)  # type: ignore[attr-defined]
    if moved:
        notify(session, "translate")
    return moved


def unavailable_pairs(session: Session) -> list[tuple[str, str]]:
    """Return the (source, target) pairs that have unavailable work."""
    return _pairs_with(session, TranslationStatus.UNAVAILABLE)


def requeue_made_by(session: Session, engine: str, model: str, now: datetime
                    ) -> list[tuple[str, str]]:
    """Queue again (bypassing the memory) every translation an engine's model made, alone
    or as a pivot hop; return their (article id, language)."""
    rows = list(session.scalars(select(TranslationRow).where(
        TranslationRow.engine == engine, TranslationRow.model.contains(model),
        TranslationRow.status.in_(WITH_CONTENT))))
    for row in rows:
        row.status, row.force, row.requested = TranslationStatus.PENDING, True, now
        row.attempts, row.error, row.next_attempt = 0, None, None
    if rows:
        notify(session, "translate")
    return [(r.article_id, r.language) for r in rows]


def reviewable_pairs(session: Session) -> list[tuple[str, str]]:
    """Return the (source, target) pairs that have held or rejected work."""
    return _pairs_with(session, TranslationStatus.HELD, TranslationStatus.REJECTED)


def _pairs_with(session: Session, *statuses: TranslationStatus) -> list[tuple[str, str]]:
    return [(s, t) for s, t in session.execute(
        select(ArticleRow.language, TranslationRow.language).distinct()
        .join(ArticleRow, ArticleRow.id == TranslationRow.article_id)
        .where(TranslationRow.status.in_(statuses)))]


def requeue_reviewable(session: Session, source: str, target: str, engine: str,
                       model: str) -> int:
    """Queue again the held and rejected work of a pair that another engine or model made
    (a new model gets its chance, and its output is checked again)."""
    result = session.execute(
        update(TranslationRow)
        .where(TranslationRow.status.in_((TranslationStatus.HELD, TranslationStatus.REJECTED)),
               TranslationRow.language == target,
               or_(TranslationRow.engine != engine, TranslationRow.model != model),
               TranslationRow.article_id.in_(
                   select(ArticleRow.id).where(ArticleRow.language == source)))
        .values(status=TranslationStatus.PENDING, error=None, next_attempt=None)
        .execution_options(synchronize_session=False))
    if result.rowcount:  # type: ignore[attr-defined]
        notify(session, "translate")
    return int(result.rowcount)  # type: ignore[attr-defined]
