"""Queries for API tokens. Only a hash of each secret is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..errors import Conflict, NotFound, Unauthenticated
from ..models import Role, Token
from .schema import SessionRow, SourceRow, TokenRow

SECRET_PREFIX = "syn_"


def create(session: Session, name: str, role: Role, now: datetime) -> tuple[Token, str]:
    """Store a new token and return it with its secret, which is never shown again."""
    if session.get(TokenRow, name) is not None:
        raise Conflict(f"a token named {name!r} exists already (names are never reused)")
    source = session.scalar(select(SourceRow.id).where(SourceRow.producer == name))
    if source is not None:  # the token would write into that source's articles
        raise Conflict(f"{name!r} is the producer name of source {source}; choose another")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    row = TokenRow(name=name, role=role.value, secret_hash=_hash(secret), created=now)
    session.add(row)
    session.flush()
    return to_entity(row), secret


def authenticate(session: Session, secret: str) -> Token:
    """Return the active token with this secret, or raise Unauthenticated."""
    digest = _hash(secret)
    row = session.scalars(select(TokenRow).where(TokenRow.secret_hash == digest)).one_or_none()
    # The lookup is by a hash of the secret, so its timing says nothing about the secret; the
    # constant-time compare guards against a store that matched loosely.
    if row is None or not hmac.compare_digest(row.secret_hash, digest):
        raise Unauthenticated("unknown token")
    if row.revoked is not None:
        raise Unauthenticated("token revoked")
    return to_entity(row)


def all_tokens(session: Session) -> list[Token]:
    """Return every token, active and revoked, by name."""
    return [to_entity(r) for r in session.scalars(select(TokenRow).order_by(TokenRow.name))]


def revoke(session: Session, name: str, now: datetime) -> Token:
    """Revoke the named token; it stops working at once."""
    row = session.get(TokenRow, name)
    if row is None:
        raise NotFound(f"no token named {name!r}")
    if row.revoked is None:
        row.revoked = now
    session.execute(delete(SessionRow).where(SessionRow.token == name))  # signed out at once
    return to_entity(row)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def to_entity(row: TokenRow) -> Token:
    """Return the entity for a row."""
    return Token(name=row.name, role=Role(row.role), created=row.created, revoked=row.revoked)
