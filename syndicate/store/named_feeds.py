"""Named feeds, partner keys and pull counts."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..errors import NotFound, Unauthenticated
from ..models import FeedMode, FeedPulls, NamedFeed
from .schema import NamedFeedRow, PartnerRow, PullRow

KEY_PREFIX = "synp_"


def put(session: Session, feed: NamedFeed, now: datetime) -> bool:
    """Create or replace a named feed; say whether it is new."""
    row = session.get(NamedFeedRow, feed.name)
    new = row is None
    if row is None:
        row = NamedFeedRow(name=feed.name, created=now)
        session.add(row)
    row.languages, row.categories = list(feed.languages), list(feed.categories)
    row.producers, row.partners = list(feed.producers), list(feed.partners)
    row.entries, row.max_bytes = feed.entries, feed.max_bytes
    row.public, row.mode = feed.public, feed.mode.value
    row.reviewed_only = feed.reviewed_only
    session.flush()
    return new


def get(session: Session, name: str) -> NamedFeed:
    """Return a named feed or raise NotFound."""
    row = session.get(NamedFeedRow, name)
    if row is None:
        raise NotFound(f"no feed named {name!r}")
    return _entity(row)


def all_feeds(session: Session) -> list[NamedFeed]:
    """Return every named feed, by name."""
    return [_entity(r) for r in session.scalars(select(NamedFeedRow)
                                                .order_by(NamedFeedRow.name))]


def delete(session: Session, name: str) -> NamedFeed:
    """Remove a named feed."""
    row = session.get(NamedFeedRow, name)
    if row is None:
        raise NotFound(f"no feed named {name!r}")
    feed = _entity(row)
    session.delete(row)
    return feed


def create_partner(session: Session, name: str, now: datetime) -> str:
    """Create (or renew) a partner's key; return the secret, shown once."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    row = session.get(PartnerRow, name)
    if row is None:
        session.add(PartnerRow(name=name, secret_hash=_hash(secret), created=now))
    else:
        row.secret_hash, row.created, row.revoked = _hash(secret), now, None
    session.flush()
    return secret


def unknown_partners(session: Session, names: Sequence[str]) -> list[str]:
    """Return the names among names that no partner has (revoked ones are known)."""
    known = set(session.scalars(select(PartnerRow.name).where(PartnerRow.name.in_(names))))
    return [name for name in names if name not in known]


def revoke_partner(session: Session, name: str, now: datetime) -> None:
    """Revoke a partner's key; it stops working at once."""
    row = session.get(PartnerRow, name)
    if row is None:
        raise NotFound(f"no partner named {name!r}")
    row.revoked = row.revoked or now


def partner_of(session: Session, secret: str) -> str:
    """Return the partner a key belongs to, or raise Unauthenticated."""
    row = session.scalars(select(PartnerRow).where(
        PartnerRow.secret_hash == _hash(secret))).one_or_none()
    if row is None or row.revoked is not None or not secrets.compare_digest(
            row.secret_hash, _hash(secret)):
        raise Unauthenticated("unknown or revoked partner key")
    return row.name


def count_pull(session: Session, partner: str, feed: str, language: str, not_modified: bool,
               now: datetime) -> None:
    """Count one pull (and whether it was answered 304)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(PullRow).values(partner=partner, feed=feed, language=language,
                                       requests=1, not_modified=int(not_modified), last_pull=now)
    session.execute(statement.on_conflict_do_update(
        index_elements=["partner", "feed", "language"],
        set_={"requests": PullRow.requests + 1,
              "not_modified": PullRow.not_modified + int(not_modified), "last_pull": now}))


def pulls(session: Session) -> list[FeedPulls]:
    """Return every partner's pull counts, by feed."""
    rows = session.scalars(select(PullRow).order_by(PullRow.feed, PullRow.partner,
                                                    PullRow.language))
    return [FeedPulls(r.partner, r.feed, r.language, r.requests, r.not_modified, r.last_pull)
            for r in rows]


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _entity(row: NamedFeedRow) -> NamedFeed:
    return NamedFeed(row.name, tuple(row.languages), tuple(row.categories or ()),
                     tuple(row.producers or ()), row.entries, row.max_bytes, row.public,
                     FeedMode(row.mode), tuple(row.partners or ()), bool(row.reviewed_only))
