"""Bulk loading: many articles in a few statements, for imports, benchmarks and tests.

Rows are written exactly as the one-by-one path writes them (articles, blocks, translation
state, feed numbers and feed state), only with executemany instead of the ORM unit of work.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from ..models import ArticleInput, Origin, TranslatedBlock, TranslationStatus
from . import feeds as feed_store
from .notify import notify
from .schema import ArchiveRow, ArticleRow, BlockRow, FeedStateRow, TranslationRow

_CHUNK = 2000


def load(session: Session, inputs: Sequence[ArticleInput], producer: str, now: datetime, *,
         targets: Sequence[str], status: TranslationStatus = TranslationStatus.PENDING
         ) -> list[str]:
    """Insert new articles with their translation state into ``targets``; return their ids.

    With ``status`` DONE the translations hold the source text (as a copy model would
    produce) and are numbered in their feeds, like the translation runner does; every feed
    touched is marked changed.
    """
    ids = [uuid.uuid4().hex for _ in inputs]
    articles: list[dict[str, Any]] = []
    blocks: list[dict[str, Any]] = []
    translations: list[dict[str, Any]] = []
    archive: list[dict[str, Any]] = []
    feed_store.lock(session, {d.language for d in inputs} | set(targets))
    states = feed_store.states(session, sorted({d.language for d in inputs} | set(targets)))
    seqs = {lang: state.next_seq for lang, state in states.items()}
    for article_id, data in zip(ids, inputs, strict=True):
        articles.append({
            "id": article_id, "producer": producer, "guid": data.guid,
            "language": data.language, "title": data.title, "summary": data.summary,
            "author": data.author, "link": data.link, "categories": list(data.categories),
            "published": data.published or now, "updated": data.updated or now, "revision": 1,
            "fingerprint": data.fingerprint(), "created": now, "retracted": None})
        blocks += [{"article_id": article_id, "position": i, "kind": b.type.value,
                    "level": b.level, "ordered": b.ordered, "html": b.html,
                    "content_hash": b.content_hash()} for i, b in enumerate(data.blocks)]
        seqs[data.language] += 1
        archive.append({"language": data.language, "article_id": article_id,
                        "seq": seqs[data.language], "added": now})
        done = status is TranslationStatus.DONE
        copied = [TranslatedBlock(b.type, b.html, b.content_hash(), Origin.MACHINE, b.level,
                                  b.ordered).to_dict() for b in data.blocks] if done else []
        for lang in targets:
            if lang == data.language:
                continue
            translations.append({
                "article_id": article_id, "language": lang, "status": status.value,
                "source_revision": 1 if done else 0, "title": data.title if done else None,
                "summary": data.summary if done else None, "blocks": copied,
                "engine": "bulk" if done else None, "model": "copy" if done else None,
                "attempts": 0, "error": None, "next_attempt": None, "requested": now,
                "updated": now if done else None, "force": False, "lease_owner": None,
                "lease_expires": None})
            if done:
                seqs[lang] += 1
                archive.append({"language": lang, "article_id": article_id,
                                "seq": seqs[lang], "added": now})
    for table, rows in ((ArticleRow, articles), (BlockRow, blocks),
                        (TranslationRow, translations), (ArchiveRow, archive)):
        for start in range(0, len(rows), _CHUNK):
            session.execute(insert(table), rows[start:start + _CHUNK])
    feed_store.touch(session, [lang for lang, seq in seqs.items() if seq != states[lang].next_seq])
    if translations and status is TranslationStatus.PENDING:
        notify(session, "translate")
    for lang, seq in seqs.items():
        session.execute(update(FeedStateRow).where(FeedStateRow.language == lang)
                        .values(next_seq=seq))
    return ids
