"""Bearer-token authentication and role checks for the API blueprints."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import g, request

from ..errors import Forbidden, Unauthenticated
from ..models import Role, Token
from .context import service

P = ParamSpec("P")
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
R = TypeVar("R")


def require(*roles: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Let a view run only for an active token whose role allows one of ``roles``."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            token = _authenticate()
            if not any(token.role.allows(role) for role in roles):
                needed = " or ".join(role.value for role in roles)
                raise Forbidden(f"token {token.name!r} has role {token.role.value}; "
                                f"this needs {needed}")
            if request.method in _WRITES:
                take_write(token.name)
            g.token = token
            return view(*args, **kwargs)

        return wrapped

    return decorate


def take_write(name: str) -> None:
    """Spend one of the token's writes, or raise RateLimited."""
    svc = service()
    svc.access.take_write(name, svc.settings.server.rate_limit)


def current_token() -> Token:
    """Return the token that authenticated this request."""
    token: Token = g.token
    return token


def _authenticate() -> Token:
    secret = bearer(request.headers.get("Authorization", ""))
    if secret is None:
        raise Unauthenticated("send 'Authorization: Bearer <token>'")
    return authenticate(secret)


def bearer(header: str) -> str | None:
    """Return the secret of an ``Authorization: Bearer`` header (the scheme in any case)."""
    scheme, _, secret = header.strip().partition(" ")
    return secret.strip() or None if scheme.lower() == "bearer" else None


def counted_failure(exc: Unauthenticated) -> Unauthenticated:
    """Count a failed token or key against the client's address; return exc to raise, or
    raise RateLimited once the address is over SYNDICATE_AUTH_FAILURES a minute. Only
    failures count: a valid token or key always passes."""
    svc = service()
    svc.access.sign_in_failed(request.remote_addr or "unknown",
                                         svc.settings.server.auth_failures)
    return exc


def authenticate(secret: str) -> Token:
    """Return the token with this secret; a failure is counted (see counted_failure)."""
    try:
        return service().access.authenticate(secret)
    except Unauthenticated as exc:
        raise counted_failure(exc) from None
