"""Queries for translations per (article, language) and their human post-edits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, tuple_, update
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import (
    Article,
    Finding,
    Origin,
    Review,
    ReviewMode,
    TranslatedBlock,
    Translation,
    TranslationStatus,
    standing,
)
from .articles import to_entity as article_entity
from .notify import notify
from .schema import ArticleRow, TranslationRow

MAX_BACKOFF = timedelta(hours=1)
# a translation with content a person may review, re-check or have translated again
WITH_CONTENT = (TranslationStatus.DONE, TranslationStatus.HELD, TranslationStatus.REJECTED)
FIRST_BACKOFF = timedelta(seconds=30)


def request(session: Session, article: Article, languages: Iterable[str], now: datetime, *,
            again: bool = False, force: bool = False, new: bool = False) -> None:
    """Ask for the article's current revision in each language (keeping earlier content);
    ``again`` asks even where that translation is done already, ``force`` bypasses the memory;
    ``new``: the article was created in this transaction, so it has no translations yet."""
    for language in languages:
        row = None if new else session.get(TranslationRow, (article.id, language))
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
        row.force = force
        notify(session, "translate")
    if not new:
        session.flush()


Key = tuple[str, str]  # (article id, language)


def _due(now: datetime) -> ColumnElement[bool]:
    """Pending, or failed and past its backoff; and not leased by a live worker."""
    return and_(
        or_(TranslationRow.status == TranslationStatus.PENDING,
            and_(TranslationRow.status == TranslationStatus.FAILED,
                 TranslationRow.next_attempt <= now)),
        or_(TranslationRow.lease_expires.is_(None), TranslationRow.lease_expires < now))


def _fair_order() -> tuple[Any, ...]:
    # Oldest request first; failed work when its backoff ends. Unavailable work is not due at
    # all (it waits for a package), so it can never starve new work.
    return (func.coalesce(TranslationRow.next_attempt, TranslationRow.requested),
            TranslationRow.article_id, TranslationRow.language)


def claim(session: Session, owner: str, now: datetime, until: datetime, limit: int,
          articles: Sequence[str] | None = None, exclude: Iterable[tuple[str, str]] = ()
          ) -> tuple[tuple[str, str], list[Key]] | None:
    """Lease the oldest due work of one language pair (up to ``limit`` articles, none of the
    pairs in ``exclude``) to owner.

    Return the pair (source, target) and the keys claimed, or None when nothing is due. On
    PostgreSQL rows another worker is claiming are skipped (FOR UPDATE SKIP LOCKED); SQLite
    runs one writer at a time, so the same select-then-lease is race-free there too.
    """
    scope = [_due(now), ArticleRow.retracted.is_(None)]
    if articles is not None:
        scope.append(TranslationRow.article_id.in_(list(articles)))
    for source, target in exclude:
        scope.append(or_(ArticleRow.language != source, TranslationRow.language != target))
    first = session.execute(
        select(ArticleRow.language, TranslationRow.language)
        .join(ArticleRow, ArticleRow.id == TranslationRow.article_id)
        .where(*scope).order_by(*_fair_order()).limit(1)).first()
    if first is None:
        return None
    source, target = first
    keys = [(a, lang) for a, lang in session.execute(
        select(TranslationRow.article_id, TranslationRow.language)
        .join(ArticleRow, ArticleRow.id == TranslationRow.article_id)
        .where(*scope, ArticleRow.language == source, TranslationRow.language == target)
        .order_by(*_fair_order()).limit(limit)
        .with_for_update(skip_locked=True, of=TranslationRow))]
    if not keys:
        return (source, target), []
    session.execute(update(TranslationRow)
                    .where(tuple_(TranslationRow.article_id, TranslationRow.language)
                           .in_(keys))
                    .values(lease_owner=owner, lease_expires=until))
    return (source, target), keys


def has_due(session: Session, now: datetime) -> bool:
    """Say whether any live work is due (one indexed probe)."""
    return session.execute(
        select(TranslationRow.article_id)
        .join(ArticleRow, ArticleRow.id == TranslationRow.article_id)
        .where(_due(now), ArticleRow.retracted.is_(None)).limit(1)).first() is not None


def renew(session: Session, owner: str, until: datetime) -> int:
    """Extend every lease owner holds; return how many rows it holds."""
    result = session.execute(update(TranslationRow).where(TranslationRow.lease_owner == owner)
                             .values(lease_expires=until))
    return int(result.rowcount)  # type: ignore[attr-defined]


def release(session: Session, owner: str, keys: Iterable[Key] | None = None) -> None:
    """Give work back to the queue (all of owner's, or only keys)."""
    query = update(TranslationRow).where(TranslationRow.lease_owner == owner)
    if keys is not None:
        wanted = list(keys)
        if not wanted:
            return
        query = query.where(tuple_(TranslationRow.article_id, TranslationRow.language)
                            .in_(wanted))
    session.execute(query.values(lease_owner=None, lease_expires=None))


def owners(session: Session) -> list[str]:
    """Return every owner holding leases now."""
    return list(session.scalars(select(TranslationRow.lease_owner).distinct()
                                .where(TranslationRow.lease_owner.is_not(None))))


def leased(session: Session, owner: str, keys: Sequence[Key]) -> list[tuple[Translation, Article]]:
    """Return the claimed translations that owner still holds, with their articles."""
    if not keys:
        return []
    rows = session.execute(
        select(TranslationRow, ArticleRow)
        .join(ArticleRow, ArticleRow.id == TranslationRow.article_id)
        .where(tuple_(TranslationRow.article_id, TranslationRow.language).in_(list(keys)),
               TranslationRow.lease_owner == owner)
        .order_by(TranslationRow.article_id))
    return [(to_entity(t), article_entity(a)) for t, a in rows]


def save_done(session: Session, article_id: str, language: str, revision: int, *,
              title: str, summary: str | None, blocks: list[TranslatedBlock], engine: str,
              model: str, now: datetime, owner: str | None = None,
              image_text: dict[str, str] | None = None, mode: ReviewMode = ReviewMode.NONE,
              findings: Sequence[Finding] = (), confidence: float | None = None,
              human: Iterable[str] = ()) -> Translation | None:
    """Store a complete translation (held or done as the language's review ``mode`` says of
    it, see standing.held) with its
    checks' findings and the fields a person wrote (``human``, besides the blocks' own
    origins), unless the article moved on meanwhile, or (with owner) the lease was lost to
    another worker; return it as stored, or None when it was not.

    A person's decision covers the content it was made on: new content of any field, or a
    new revision, clears it; the same content of the same revision keeps it."""
    article = session.get(ArticleRow, article_id)
    row = session.get(TranslationRow, (article_id, language))
    if article is None or row is None or article.revision != revision:
        return None
    if owner is not None and row.lease_owner != owner:
        return None
    stored = [b.to_dict() for b in blocks]
    changed = (row.title, row.summary, row.blocks, row.image_text or None) != (
        title, summary, stored, image_text or None)
    if changed or row.updated is None:
        row.updated = now
    if changed or row.source_revision != revision or (row.engine, row.model) != (engine, model):
        row.review_decision = row.reviewed_by = row.reviewed_at = row.review_note = None
    row.title, row.summary, row.blocks = title, summary, stored
    row.image_text = image_text or None
    row.human_fields = sorted(set(human)) or None
    row.findings = [f.to_dict() for f in findings]
    row.confidence = confidence
    row.source_revision = revision
    row.engine, row.model = engine, model
    row.attempts, row.error, row.next_attempt = 0, None, None
    row.force, row.lease_owner, row.lease_expires = False, None, None
    row.status = TranslationStatus.DONE
    saved = to_entity(row)
    if standing.held(mode, saved):
        row.status = TranslationStatus.HELD
        saved = replace(saved, status=TranslationStatus.HELD)
    return saved


def mark(session: Session, keys: Iterable[tuple[str, str]], status: TranslationStatus,
         error: str, now: datetime, owner: str | None = None) -> None:
    """Mark translations failed (with backoff) or unavailable, with the reason; release them."""
    for key in keys:
        row = session.get(TranslationRow, key)
        if row is None or (owner is not None and row.lease_owner != owner):
            continue
        row.status = status
        row.error = error
        row.lease_owner, row.lease_expires = None, None
        if status is TranslationStatus.FAILED:
            row.attempts += 1
            delay = min(FIRST_BACKOFF * 2 ** (row.attempts - 1), MAX_BACKOFF)
            row.next_attempt = now + delay


def waiting(session: Session, article_ids: Sequence[str], languages: Sequence[str] | None
            ) -> int:
    """Return how many of these translations are still pending or leased."""
    query = select(func.count()).select_from(TranslationRow).where(
        TranslationRow.article_id.in_(list(article_ids)),
        or_(TranslationRow.status == TranslationStatus.PENDING,
            TranslationRow.lease_owner.is_not(None)))
    if languages is not None:
        query = query.where(TranslationRow.language.in_(list(languages)))
    return session.scalar(query) or 0


def held_elsewhere(session: Session, owner: str) -> int:
    """Return how many translations another worker holds under a lease right now."""
    return session.scalar(select(func.count()).select_from(TranslationRow).where(
        TranslationRow.lease_owner.is_not(None), TranslationRow.lease_owner != owner)) or 0


def apply_edits(session: Session, article_id: str, language: str, revision: int,
                fields: dict[str, str], now: datetime) -> Translation | None:
    """Put post-edits into a translation of this revision (done, held or rejected) and
    record those fields as a person's; return it, or None when there is none to edit. The
    status is the caller's to decide: an edit of some fields approves none of the others."""
    row = session.get(TranslationRow, (article_id, language))
    if row is None or row.source_revision != revision or row.status not in WITH_CONTENT:
        return None
    blocks = [dict(b) for b in row.blocks or []]
    human = set(row.human_fields or ())
    for field, text in fields.items():
        if field == "title":
            row.title = text
            human.add(field)
        elif field == "summary":
            row.summary = text
            human.add(field)
        else:
            index = int(field[len("blocks["):-1])
            blocks[index].update(html=text, origin=Origin.HUMAN.value)
    row.blocks = blocks
    row.human_fields = sorted(human) or None
    row.updated = now
    return to_entity(row)


def settle(session: Session, article_id: str, language: str, held: bool) -> None:
    """Set a translation with content done or held (after a person's edit)."""
    row = session.get(TranslationRow, (article_id, language))
    if row is not None and row.status in WITH_CONTENT:
        row.status = TranslationStatus.HELD if held else TranslationStatus.DONE


def get(session: Session, article_id: str, language: str) -> Translation:
    """Return the translation or raise NotFound."""
    row = session.get(TranslationRow, (article_id, language))
    if row is None:
        raise NotFound(f"article {article_id!r} has no translation into {language!r}")
    return to_entity(row)


def all_of(session: Session, article_id: str) -> list[Translation]:
    """Return every translation of one article, by language."""
    return [to_entity(r) for r in session.scalars(
        select(TranslationRow).where(TranslationRow.article_id == article_id)
        .order_by(TranslationRow.language))]


def statuses(session: Session, article_ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """Return each article's translation status per language."""
    out: dict[str, dict[str, str]] = {}
    for article_id, language, status in session.execute(
            select(TranslationRow.article_id, TranslationRow.language, TranslationRow.status)
            .where(TranslationRow.article_id.in_(article_ids))):
        out.setdefault(article_id, {})[language] = TranslationStatus(status).value
    return out


def set_findings(session: Session, article_id: str, language: str,
                 findings: Sequence[Finding]) -> None:
    """Replace the findings stored with a translation (after a post-edit)."""
    row = session.get(TranslationRow, (article_id, language))
    if row is not None:
        row.findings = [f.to_dict() for f in findings]


def add_finding(session: Session, article_id: str, language: str, finding: Finding) -> None:
    """Add a finding to a translation's stored ones (one of each check and field, once)."""
    row = session.get(TranslationRow, (article_id, language))
    if row is not None and finding.to_dict() not in (row.findings or []):
        row.findings = [*(row.findings or []), finding.to_dict()]


def review(session: Session, article_id: str, language: str, decision: str, by: str,
           note: str | None, now: datetime) -> Translation:
    """Record a person's decision on a held or published translation: approve publishes it
    (status done), reject keeps it out (status rejected), edit (a post-edit of some fields)
    leaves the status to the caller; NotFound when there is none."""
    row = session.get(TranslationRow, (article_id, language))
    if row is None or row.status not in WITH_CONTENT or not row.source_revision:
        raise NotFound(f"article {article_id!r} has no translation into {language!r} to review")
    if decision == standing.REJECT:
        row.status = TranslationStatus.REJECTED
    elif decision == standing.APPROVE:
        row.status = TranslationStatus.DONE
    row.review_decision, row.reviewed_by, row.reviewed_at, row.review_note = (
        decision, by, now, note)
    return to_entity(row)


def stored(session: Session, languages: Sequence[str], since: datetime | None
           ) -> list[tuple[Article, Translation]]:
    """Return translations with content (done, held, rejected) of live articles, in some
    languages, updated since a time (all when None), each with its article."""
    query = (select(ArticleRow, TranslationRow)
             .join(ArticleRow, ArticleRow.id == TranslationRow.article_id)
             .where(TranslationRow.status.in_(WITH_CONTENT),
                    TranslationRow.language.in_(list(languages)),
                    ArticleRow.retracted.is_(None))
             .order_by(TranslationRow.language, TranslationRow.updated))
    if since is not None:
        query = query.where(TranslationRow.updated >= since)
    return [(article_entity(a), to_entity(t)) for a, t in session.execute(query)]


def held(session: Session, language: str | None, limit: int) -> list[Translation]:
    """Return held translations of live articles (one language, or all), oldest first."""
    query = (select(TranslationRow).join(ArticleRow, ArticleRow.id == TranslationRow.article_id)
             .where(TranslationRow.status == TranslationStatus.HELD,
                    ArticleRow.retracted.is_(None))
             .order_by(TranslationRow.updated, TranslationRow.article_id).limit(limit))
    if language is not None:
        query = query.where(TranslationRow.language == language)
    return [to_entity(r) for r in session.scalars(query)]


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
        force=bool(row.force), image_text=dict(row.image_text or {}),
        findings=tuple(Finding.from_dict(f) for f in row.findings or ()),
        confidence=row.confidence, human=frozenset(row.human_fields or ()),
        review=Review(row.review_decision, row.reviewed_by or "", row.reviewed_at,
                      row.review_note)
        if row.review_decision and row.reviewed_at else None,
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
