"""Access: API tokens, dashboard sessions, rate buckets and the audit log of operator actions."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from ..clock import Clock
from ..errors import RateLimited
from ..models import AuditEntry, Role, Token
from ..store import Store, rates, sessions
from ..store import audit as audit_store
from ..store import tokens as token_store


class Access:
    """Who may do what, how often, and what operators did."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def authenticate(self, secret: str) -> Token:
        """Return the active token with this secret, or raise Unauthenticated."""
        with self.store.read() as session:
            return token_store.authenticate(session, secret)

    def tokens(self) -> list[Token]:
        """Return every token (names, roles, states; never secrets)."""
        with self.store.read() as session:
            return token_store.all_tokens(session)

    def create_token(self, name: str, role: Role) -> tuple[Token, str]:
        """Create an API token; return it and its secret (only a hash is stored)."""
        with self.store.write() as session:
            return token_store.create(session, name, role, self.clock())

    def revoke_token(self, name: str) -> Token:
        """Revoke a token: it stops working, and its dashboard sessions end, at once."""
        with self.store.write() as session:
            return token_store.revoke(session, name, self.clock())

    def take_write(self, token: str, per_minute: int) -> None:
        """Spend one of a token's writes (shared by every worker and host) or raise
        RateLimited with the seconds until the next one; ``per_minute`` 0: no limit."""
        self._bucket(f"write:{token}", per_minute, spend=True)

    def sign_in_failed(self, address: str, per_minute: int) -> None:
        """Count a failed sign-in (an unknown token or partner key) against the client's
        address; raise RateLimited once the address is over its failures a minute."""
        self._bucket(f"auth:{address}", per_minute, spend=True,
                     what="too many unknown tokens or keys from this address")

    def _bucket(self, key: str, per_minute: int, *, spend: bool,
                what: str = "too many writes from this token") -> None:
        if per_minute <= 0:
            return
        with self.store.write() as session:
            wait = rates.take(session, key, float(per_minute), per_minute / 60.0, self.clock(),
                              spend=spend)
        if wait > 0:
            raise RateLimited(max(1, math.ceil(wait)), what)

    def open_session(self, token: str) -> tuple[str, str]:
        """Start a dashboard session; return its id (the cookie) and its CSRF token."""
        with self.store.write() as session:
            return sessions.open_session(session, token, self.clock())

    def resume_session(self, secret: str, idle_seconds: int) -> tuple[Token, str] | None:
        """Return a live session's operator token and CSRF token, marking it seen."""
        with self.store.write() as session:
            return sessions.resume(session, secret, self.clock(),
                                   timedelta(seconds=idle_seconds))

    def close_session(self, secret: str) -> None:
        """End a dashboard session."""
        with self.store.write() as session:
            sessions.close(session, secret)

    def record(self, actor: str, action: str, params: dict[str, Any], outcome: str) -> None:
        """Record an operator action."""
        with self.store.write() as session:
            audit_store.record(session, actor, action, params, outcome, self.clock())

    def audit_log(self, *, limit: int, before: int | None) -> list[AuditEntry]:
        """Return operator actions, newest first."""
        with self.store.read() as session:
            return audit_store.recent(session, limit=limit, before=before)
