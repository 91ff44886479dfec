"""Post-edits: what people wrote over machine translation, field by field, and its history."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Edit
from .schema import EditRow


def add(session: Session, article_id: str, language: str,
              fields: dict[str, tuple[str, str]], editor: str, now: datetime) -> None:
    """Store post-edits: field -> (source hash it translates, text)."""
    for field, (source_hash, text) in fields.items():
        session.add(EditRow(article_id=article_id, language=language, field=field,
                            source_hash=source_hash, text=text, editor=editor, created=now))
    session.flush()


def of(session: Session, article_id: str, language: str) -> list[Edit]:
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
