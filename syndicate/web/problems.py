"""The one place that maps errors to RFC 9457 problem responses."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .. import errors

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "tag:syndicate,2026:problem/"

# error class -> (status, problem slug, title); the first match in order wins.
_MAPPING: tuple[tuple[type[errors.SyndicateError], int, str, str], ...] = (
    (errors.ValidationError, 422, "invalid-field", "A field is invalid"),
    (errors.Gone, 410, "gone", "Retracted"),
    (errors.MalformedInput, 400, "malformed-body", "The request body could not be parsed"),
    (errors.UnsupportedMediaType, 415, "unsupported-media-type", "Unsupported content type"),
    (errors.PayloadTooLarge, 413, "payload-too-large", "Request body too large"),
    (errors.Unauthenticated, 401, "unauthenticated", "Authentication required"),
    (errors.Forbidden, 403, "forbidden", "Not allowed for this token's role"),
    (errors.RateLimited, 429, "rate-limited", "Too many requests"),
    (errors.NotFound, 404, "not-found", "Not found"),
    (errors.Conflict, 409, "conflict", "Conflict with the stored state"),
    (errors.StoreError, 503, "store-unavailable", "The database is unavailable"),
)


def problem(status: int, slug: str, title: str, detail: str, **extra: Any) -> Response:
    """Build a problem+json response."""
    body = {"type": TYPE_BASE + slug, "title": title, "status": status, "detail": detail, **extra}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = MEDIA_TYPE
    return response


def new_error_id() -> str:
    """Return an id that ties an answer to its line in the log."""
    return uuid.uuid4().hex[:12]


def _kind(exc: errors.SyndicateError) -> tuple[int, str, str]:
    """Return the HTTP status, slug and title of one of our errors."""
    return next(((st, sl, ti) for cls, st, sl, ti in _MAPPING if isinstance(exc, cls)),
                (500, "internal", "Internal error"))


def status_of(exc: errors.SyndicateError) -> int:
    """Return the HTTP status one of our errors answers with (pages use it too)."""
    return _kind(exc)[0]


def from_error(exc: errors.SyndicateError) -> Response:
    """Return the problem response for one of our errors."""
    status, slug, title = _kind(exc)
    extra: dict[str, Any] = {}
    if isinstance(exc, errors.ValidationError):
        extra["field"] = exc.problems[0].field
        extra["errors"] = [{"field": p.field, "detail": p.detail} for p in exc.problems]
    elif isinstance(exc, errors.MalformedInput):
        extra["field"] = exc.field
    elif isinstance(exc, errors.UnsupportedMediaType):
        extra["field"] = "Content-Type"
        extra["accepted"] = list(exc.accepted)
    elif isinstance(exc, errors.PayloadTooLarge):
        extra["field"] = "body"
        extra["limit"] = exc.limit
    detail = str(exc)
    if status >= 500:  # driver and SQL text stay in the log, under an id the client can quote
        extra["error_id"] = error_id = new_error_id()
        log.error("request failed [error %s]: %s", error_id, exc)
        detail = f"{title}; quote error id {error_id} to the operators"
    response = problem(status, slug, title, detail, **extra)
    if isinstance(exc, errors.Unauthenticated):
        response.headers["WWW-Authenticate"] = 'Bearer realm="syndicate"'
    if isinstance(exc, errors.RateLimited):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def init_app(app: Flask) -> None:
    """Send every error, ours and HTTP's, as a problem response."""

    @app.errorhandler(errors.SyndicateError)
    def _ours(exc: errors.SyndicateError) -> Response:
        return from_error(exc)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(_exc: RequestEntityTooLarge) -> Response:
        return from_error(errors.PayloadTooLarge(app.config["MAX_CONTENT_LENGTH"]))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response:
        status = exc.code or 500
        slug = (exc.name or "error").lower().replace(" ", "-")
        response = problem(status, slug, exc.name or "Error", exc.description or "")
        for key in ("Allow",):
            if exc.get_response().headers.get(key):
                response.headers[key] = exc.get_response().headers[key]
        return response
