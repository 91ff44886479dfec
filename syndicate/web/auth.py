"""Bearer-token authentication and role checks for the API blueprints."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import g, request

from ..errors import Forbidden, Unauthenticated
from ..models import Role, Token
from .context import services

P = ParamSpec("P")
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
R = TypeVar("R")


def require(role: Role) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Let a view run only for an active token whose role allows ``role``."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            token = _authenticate()
            if not token.role.allows(role):
                raise Forbidden(f"token {token.name!r} has role {token.role.value}; "
                                f"this needs {role.value}")
            if request.method in _WRITES:
                take_write(token.name)
            g.token = token
            return view(*args, **kwargs)

        return wrapped

    return decorate


def take_write(name: str) -> None:
    """Spend one of the token's writes, or raise RateLimited."""
    svc = services()
    svc.pipeline.commands.take_write(name, svc.settings.rate_limit)


def current_token() -> Token:
    """Return the token that authenticated this request."""
    token: Token = g.token
    return token


def _authenticate() -> Token:
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthenticated("send 'Authorization: Bearer <token>'")
    return authenticate(secret.strip())


def authenticate(secret: str) -> Token:
    """Return the token with this secret; failures are counted per client address, and an
    address over SYNDICATE_AUTH_FAILURES a minute gets 429 before its token is even read."""
    svc = services()
    commands, limit = svc.pipeline.commands, svc.settings.auth_failures
    address = request.remote_addr or "unknown"
    commands.check_sign_in(address, limit)
    try:
        return svc.pipeline.queries.authenticate(secret)
    except Unauthenticated:
        commands.sign_in_failed(address, limit)
        raise
