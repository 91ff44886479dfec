"""Dashboard sessions: a random id (only its hash stored), a CSRF token, idle expiry."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import Role, Token
from .schema import SessionRow, TokenRow
from .tokens import to_entity as token_entity


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def open_session(session: Session, token: str, now: datetime) -> tuple[str, str]:
    """Start a session for an operator token; return its id (for the cookie) and CSRF token."""
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(SessionRow(id_hash=_hash(secret), token=token, csrf=csrf, created=now,
                           last_seen=now))
    return secret, csrf


def resume(session: Session, secret: str, now: datetime, idle: timedelta
           ) -> tuple[Token, str] | None:
    """Return the operator token and CSRF token of a live session, and mark it seen; None
    (and the session ended) when it is unknown, idle too long, or its token is revoked or
    no longer an operator's."""
    found = session.execute(select(SessionRow, TokenRow)
                            .join(TokenRow, TokenRow.name == SessionRow.token)
                            .where(SessionRow.id_hash == _hash(secret))).first()
    if found is None:
        return None
    row, token = found
    if (now - row.last_seen > idle or token.revoked is not None
            or token.role != Role.OPERATOR.value):
        session.delete(row)
        return None
    row.last_seen = now
    return token_entity(token), row.csrf


def close(session: Session, secret: str) -> None:
    """End a session (signing out)."""
    session.execute(delete(SessionRow).where(SessionRow.id_hash == _hash(secret)))


