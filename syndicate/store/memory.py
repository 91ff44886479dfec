"""The translation memory: segment translations keyed by engine, model, languages and source."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models import Route
from .schema import MemoryRow

_CHUNK = 500
HUMAN = "human"  # the engine of segments people translated (imported memories): used first


def key_hash(text: str) -> str:
    """Return the hash a normalized source segment is stored under."""
    return hashlib.sha256(text.encode()).hexdigest()


def lookup(session: Session, route: Route, keys: Sequence[str]
           ) -> dict[str, tuple[str, float | None]]:
    """Return the remembered translation of each key that has one, with the engine's score."""
    by_hash = {key_hash(k): k for k in keys}
    found: dict[str, tuple[str, float | None]] = {}
    hashes = list(by_hash)
    for start in range(0, len(hashes), _CHUNK):
        rows = session.execute(
            select(MemoryRow.source_hash, MemoryRow.source_text, MemoryRow.target_text,
                   MemoryRow.score, MemoryRow.engine).where(
                or_(and_(MemoryRow.engine == route.engine, MemoryRow.model == route.model),
                    MemoryRow.engine == HUMAN),
                MemoryRow.source_language == route.source,
                MemoryRow.target_language == route.target,
                MemoryRow.source_hash.in_(hashes[start:start + _CHUNK]),
            )
        )
        for digest, source_text, target_text, score, engine in rows:
            if by_hash[digest] != source_text:
                continue  # a hash collision
            if engine == HUMAN:  # a person's translation wins over the engine's
                found[source_text] = (target_text, score)
            else:
                found.setdefault(source_text, (target_text, score))
    return found


def pair(session: Session, source: str, target: str) -> list[tuple[str, str, str, str]]:
    """Return every remembered segment of a language pair as (source, target, engine,
    model), one per source text: a person's translation, else the newest."""
    rows = session.execute(
        select(MemoryRow.source_text, MemoryRow.target_text, MemoryRow.engine, MemoryRow.model)
        .where(MemoryRow.source_language == source, MemoryRow.target_language == target)
        .order_by(MemoryRow.engine == HUMAN, MemoryRow.id))
    best: dict[str, tuple[str, str, str, str]] = {}
    for row in rows:
        best[row[0]] = (row[0], row[1], row[2], row[3])
    return sorted(best.values())


def remember(session: Session, route: Route, translations: Mapping[str, str],
             now: datetime, *, replace: bool = False,
             scores: Mapping[str, float] | None = None) -> None:
    """Store segment translations (with the engine's score, where it gave one); an
    existing entry is kept, or replaced if asked."""
    if not translations:
        return
    values = [
        {"engine": route.engine, "model": route.model, "source_language": route.source,
         "target_language": route.target, "source_hash": key_hash(src), "source_text": src,
         "target_text": tgt, "created": now, "score": (scores or {}).get(src)}
        for src, tgt in translations.items()
    ]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for start in range(0, len(values), _CHUNK):
        statement = insert(MemoryRow).values(values[start:start + _CHUNK])
        if replace:
            key = ["engine", "model", "source_language", "target_language", "source_hash"]
            session.execute(statement.on_conflict_do_update(
                index_elements=key, set_={"target_text": statement.excluded.target_text,
                                          "created": statement.excluded.created,
                                          "score": statement.excluded.score}))
        else:
            session.execute(statement.on_conflict_do_nothing())


def samples(session: Session, route: Route, limit: int = 500) -> list[tuple[str, str]]:
    """Return the newest (source, target) segments the route's engine and model gave."""
    return [(src, tgt) for src, tgt in session.execute(
        select(MemoryRow.source_text, MemoryRow.target_text).where(
            MemoryRow.engine == route.engine, MemoryRow.model == route.model,
            MemoryRow.source_language == route.source,
            MemoryRow.target_language == route.target)
        .order_by(MemoryRow.id.desc()).limit(limit))]


def size(session: Session) -> int:
    """Return how many segments the memory holds."""
    return session.scalar(select(func.count()).select_from(MemoryRow)) or 0
