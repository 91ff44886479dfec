"""Queries for publishing: feed state (what changed), entry numbering, and what a feed shows.

Every query here reads or writes a bounded amount, whatever the size of the archive: the
newest entries of a language by number, the languages a handful of articles exist in, one
archive page. Entries are numbered when they become publishable (an article written in the
language is stored, or its translation is complete), never by scanning at publish time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVarTuple

from sqlalchemy import Select, and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models import Article, Translation, TranslationStatus
from .articles import to_entity as article_entity
from .notify import notify
from .schema import ArchiveRow, ArticleRow, FeedStateRow, HeldRow, TranslationRow
from .translations import to_entity as translation_entity

_Ts = TypeVarTuple("_Ts")
FEEDS_LOCK = 0x5F_FEED5  # the advisory lock every feed-marking writer takes first (PostgreSQL)
Shown = tuple[int, Article, Translation | None]  # (number, article, translation or None)


@dataclass(frozen=True)
class FeedState:
    """One language's feed as the publisher sees it."""

    language: str
    version: int
    published_version: int
    next_seq: int
    archived_pages: int
    published: datetime | None
    expires: datetime | None = None

    def due(self, now: datetime) -> bool:
        """Say whether something changed since the last publish, or what it shows expired."""
        return self.version > self.published_version or (
            self.expires is not None and self.expires <= now)


def lock(session: Session, languages: Iterable[str] = ()) -> None:
    """Lock every feed's state row, in one order, before a transaction changes any of them.

    Writers that mark feeds or number entries (ingest, retraction, translation workers on any
    host) take these locks first and always in language order, so they queue instead of
    deadlocking; ``languages`` get their row created first if they have none.
    """
    # On PostgreSQL one transaction-scoped advisory lock comes first: rows locked in order are
    # not enough, since a row created after this transaction's FOR UPDATE began is not among
    # those it locked, yet it may update it later (a translation lane touching a language a
    # lane for another language just numbered: a deadlock, seen on CI). SQLite has one writer.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(FEEDS_LOCK)))
    existing = set(session.scalars(select(FeedStateRow.language).order_by(FeedStateRow.language)
                                   .with_for_update()))
    _ensure(session, set(languages) - existing)


def _ensure(session: Session, languages: Iterable[str]) -> None:
    values = [{"language": lang, "version": 0, "published_version": 0, "next_seq": 0,
               "archived_pages": 0} for lang in sorted(set(languages))]
    if not values:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(FeedStateRow).values(values).on_conflict_do_nothing())


def touch(session: Session, languages: Iterable[str]) -> None:
    """Mark languages' feeds changed (in the caller's transaction)."""
    wanted = sorted(set(languages))
    if not wanted:
        return
    _ensure(session, wanted)
    session.execute(update(FeedStateRow).where(FeedStateRow.language.in_(wanted))
                    .values(version=FeedStateRow.version + 1))
    notify(session, "publish")


def touch_article(session: Session, article_id: str, also: Iterable[str] = ()) -> None:
    """Mark changed every feed that shows (or links to) the article, and ``also``."""
    touch_articles(session, [article_id], also)


def mark_stale(session: Session, article_ids: Sequence[str],
               languages: Iterable[str] | None = None) -> None:
    """Mark the archive entries of articles (in some languages, else all) as changed, so
    the publisher writes the archive pages holding them again."""
    if not article_ids:
        return
    query = update(ArchiveRow).where(ArchiveRow.article_id.in_(list(article_ids)))
    if languages is not None:
        query = query.where(ArchiveRow.language.in_(list(languages)))
    session.execute(query.values(stale=ArchiveRow.stale + 1))


def mark_all_stale(session: Session) -> None:
    """Mark every archive entry changed (every page is written again, a bounded number a
    pass): what the links of every document depend on changed."""
    session.execute(update(ArchiveRow).values(stale=ArchiveRow.stale + 1))


def stale(session: Session, language: str) -> list[tuple[int, int]]:
    """Return (number, mark) of a language's entries changed since their page was written."""
    return [(seq, mark) for seq, mark in session.execute(
        select(ArchiveRow.seq, ArchiveRow.stale)
        .where(ArchiveRow.language == language, ArchiveRow.stale > 0)
        .order_by(ArchiveRow.seq))]


def clear_stale(session: Session, language: str, marks: Iterable[tuple[int, int]]) -> None:
    """Clear the marks written again (a mark bumped meanwhile stays: written next time)."""
    for seq, mark in marks:
        session.execute(update(ArchiveRow).where(
            ArchiveRow.language == language, ArchiveRow.seq == seq, ArchiveRow.stale == mark)
            .values(stale=0))


def enter_new(session: Session, articles: Sequence[Article], now: datetime) -> None:
    """Enter articles created in this transaction (see enter), numbering those already
    published with one counter update per language, in the order given."""
    by_language: dict[str, list[str]] = {}
    for article in articles:
        if article.published > now:
            enter(session, article.language, article.id, article.published, now)
        else:
            by_language.setdefault(article.language, []).append(article.id)
    for language, ids in sorted(by_language.items()):
        first = _numbers(session, language, len(ids))
        session.add_all(ArchiveRow(language=language, article_id=article_id, seq=first + i,
                                   added=now) for i, article_id in enumerate(ids))
    session.flush()


def touch_articles(session: Session, article_ids: Sequence[str],
                   also: Iterable[str] = ()) -> None:
    """Mark changed every feed that shows (or links to) any of the articles, and ``also``."""
    shown: set[str] = set()
    for start in range(0, len(article_ids), 500):
        shown.update(session.scalars(select(ArchiveRow.language).distinct().where(
            ArchiveRow.article_id.in_(article_ids[start:start + 500]))))
    touch(session, {*shown, *also})


def number(session: Session, language: str, article_id: str, now: datetime) -> int:
    """Give an article that became publishable in a language its number there (once)."""
    known = session.scalar(select(ArchiveRow.seq).where(ArchiveRow.language == language,
                                                        ArchiveRow.article_id == article_id))
    if known is not None:
        return known
    seq = _numbers(session, language, 1)
    session.add(ArchiveRow(language=language, article_id=article_id, seq=seq, added=now))
    session.flush()
    return seq


def _numbers(session: Session, language: str, count: int) -> int:
    """Take count consecutive numbers in a language's feed; return the first."""
    _ensure(session, [language])
    # An atomic increment: concurrent writers on other hosts queue on this row's lock.
    last: int = session.execute(update(FeedStateRow).where(FeedStateRow.language == language)
                                .values(next_seq=FeedStateRow.next_seq + count)
                                .returning(FeedStateRow.next_seq)).scalar_one()
    return last - count + 1


def states(session: Session, languages: Sequence[str]) -> dict[str, FeedState]:
    """Return the state of each language's feed (a language never touched: all zero)."""
    rows = {r.language: r for r in session.scalars(
        select(FeedStateRow).where(FeedStateRow.language.in_(list(languages))))}
    out: dict[str, FeedState] = {}
    for lang in languages:
        row = rows.get(lang)
        out[lang] = FeedState(lang, 0, 0, 0, 0, None) if row is None else FeedState(
            lang, row.version, row.published_version, row.next_seq, row.archived_pages,
            row.published, row.expires)
    return out


def mark_published(session: Session, language: str, version: int, archived_pages: int,
                   now: datetime, expires: datetime | None = None) -> None:
    """Record what a publish rendered; a version bumped meanwhile stays ahead (still dirty)."""
    session.execute(update(FeedStateRow).where(FeedStateRow.language == language)
                    .values(published_version=version, archived_pages=archived_pages,
                            published=now, expires=expires))


@dataclass(frozen=True)
class Retracted:
    """An article recently retracted from a language's feed (its tombstone)."""

    article_id: str
    retracted: datetime
    reason: str | None


def retracted_since(session: Session, language: str, since: datetime) -> list[Retracted]:
    """Return articles shown in a language that were retracted after since, newest first."""
    # Recent retractions first (by their index), then which of those few the language showed:
    # never a walk over the language's whole archive.
    recent = session.execute(
        select(ArticleRow.id, ArticleRow.retracted,
               ArticleRow.retraction_reason)
        .where(ArticleRow.retracted > since).order_by(ArticleRow.retracted.desc())).all()
    if not recent:
        return []
    shown = set(session.scalars(select(ArchiveRow.article_id).where(
        ArchiveRow.language == language,
        ArchiveRow.article_id.in_([article_id for article_id, *_ in recent]))))
    return [Retracted(i, r, why) for i, r, why in recent if i in shown and r is not None]


def _shown_query(language: str, now: datetime) -> Select[int, ArticleRow, TranslationRow]:
    return live_in(select(ArchiveRow.seq, ArticleRow, TranslationRow), language, now)


def live_in(query: Select[*_Ts], language: str, now: datetime) -> Select[*_Ts]:
    """Narrow a query over the archive to the entries a language's documents may show now:
    the SQL form of models.standing.live (not retracted, not embargoed, and the article's
    own language or a done translation of its current revision)."""
    return (query.select_from(ArchiveRow)
            .join(ArticleRow, ArticleRow.id == ArchiveRow.article_id)
            .outerjoin(TranslationRow, and_(TranslationRow.article_id == ArchiveRow.article_id,
                                            TranslationRow.language == language))
            .where(ArchiveRow.language == language, ArticleRow.retracted.is_(None),
                   ArticleRow.published <= now,
                   or_(ArticleRow.language == language,
                       and_(TranslationRow.status == TranslationStatus.DONE,
                            TranslationRow.source_revision == ArticleRow.revision))))


def enter(session: Session, language: str, article_id: str, published: datetime,
          now: datetime) -> None:
    """An article became publishable in a language: number it, or hold it until published
    (an embargo), in which case ``release`` numbers it then."""
    if published <= now:
        number(session, language, article_id, now)
        return
    row = session.get(HeldRow, (language, article_id))
    if row is None:
        session.add(HeldRow(language=language, article_id=article_id, release_at=published))
    else:
        row.release_at = published
    # the feed is due again when the embargo ends, even a feed nothing was ever numbered in
    _ensure(session, [language])
    state = session.get(FeedStateRow, language)
    if state is not None and (state.expires is None or state.expires > published):
        state.expires = published


def release(session: Session, language: str, now: datetime) -> int:
    """Number the held entries of a language whose embargo has ended; return how many."""
    due = list(session.scalars(select(HeldRow).where(HeldRow.language == language,
                                                     HeldRow.release_at <= now)
                               .order_by(HeldRow.release_at, HeldRow.article_id)))
    released = 0
    for held in due:
        article = session.get(ArticleRow, held.article_id)
        if article is not None and article.retracted is None:
            number(session, language, held.article_id, now)
            touch_article(session, held.article_id)
            mark_stale(session, [held.article_id])  # pages written while it was held
            released += 1
        session.delete(held)
    return released


def next_release(session: Session, language: str) -> datetime | None:
    """Return when the first held entry of a language may be shown (None: none is held)."""
    return session.scalar(select(func.min(HeldRow.release_at))
                          .where(HeldRow.language == language))


def newest(session: Session, language: str, limit: int, now: datetime,
           before: int | None = None) -> list[Shown]:
    """Return the newest ``limit`` entries a language may show now (numbered below
    ``before``, to page further back), newest first."""
    query = _shown_query(language, now).order_by(ArchiveRow.seq.desc()).limit(limit)
    if before is not None:
        query = query.where(ArchiveRow.seq < before)
    return [_shown(language, seq, a, t) for seq, a, t in session.execute(query)]


def headlines(session: Session, language: str, limit: int, now: datetime,
              before: int | None = None) -> list[tuple[int, str, str, datetime, datetime]]:
    """Return the newest ``limit`` live, complete entries of a language (numbered below
    ``before``) as (number, article id, title, published, updated), newest first: what a news
    sitemap lists, and nothing more."""
    query = live_in(select(ArchiveRow.seq, ArticleRow.id, ArticleRow.title, TranslationRow.title,
                         ArticleRow.published, ArticleRow.updated, TranslationRow.updated,
                         ArticleRow.language), language, now)
    if before is not None:
        query = query.where(ArchiveRow.seq < before)
    out = []
    for seq, article_id, title, translated, published, updated, done, original in \
            session.execute(query.order_by(ArchiveRow.seq.desc()).limit(limit)):
        own = original == language
        out.append((seq, article_id, title if own else translated or title, published,
                    max(updated if own else done or updated, published)))
    return out


def numbered(session: Session, language: str, first: int, last: int, now: datetime
             ) -> list[Shown]:
    """Return the entries numbered first..last that a language may show now, oldest first."""
    query = (_shown_query(language, now).where(ArchiveRow.seq.between(first, last))
             .order_by(ArchiveRow.seq))
    return [_shown(language, seq, a, t) for seq, a, t in session.execute(query)]


def _shown(language: str, seq: int, article: ArticleRow,
           translation: TranslationRow | None) -> Shown:
    if article.language == language or translation is None:
        return seq, article_entity(article), None
    return seq, article_entity(article), translation_entity(translation)


def languages_of(session: Session, article_ids: Sequence[str]) -> dict[str, set[str]]:
    """Return, for each of a few articles, the languages it is published in (one query)."""
    ids = list(set(article_ids))
    out: dict[str, set[str]] = {i: set() for i in ids}
    if not ids:
        return out
    revisions: dict[str, int] = {}
    for article_id, own, revision in session.execute(
            select(ArticleRow.id, ArticleRow.language, ArticleRow.revision)
            .where(ArticleRow.id.in_(ids))):
        out[article_id].add(own)
        revisions[article_id] = revision
    # By primary key only (no join, no status filter in SQL): the planner must not be
    # tempted into scanning every done translation of the archive.
    for article_id, lang, status, source_revision in session.execute(
            select(TranslationRow.article_id, TranslationRow.language, TranslationRow.status,
                   TranslationRow.source_revision)
            .where(TranslationRow.article_id.in_(ids))):
        if status == TranslationStatus.DONE and source_revision == revisions.get(article_id):
            out[article_id].add(lang)
    return out


def was_retracted(session: Session, article_id: str, language: str) -> bool:
    """Say whether a retracted article was once shown in a language."""
    return session.execute(
        select(ArchiveRow.seq).join(ArticleRow, ArticleRow.id == ArchiveRow.article_id)
        .where(ArchiveRow.article_id == article_id, ArchiveRow.language == language,
               ArticleRow.retracted.is_not(None))).first() is not None


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
