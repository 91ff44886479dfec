"""The one exception tree of syndicate.

Every failure the service reports is one of these; adapters turn library failures into them and
``web.problems`` alone maps them to HTTP problem responses (the CLI maps them to exit codes)::

    SyndicateError
    ├── ConfigError              a SYNDICATE_* setting is missing or malformed (start-up stops)
    │   └── GlossaryError        translations/glossary.toml cannot be read
    ├── InputError               the caller sent something we cannot take (HTTP 4xx)
    │   ├── MalformedInput       the body cannot be decoded or parsed at all (400)
    │   ├── UnsupportedMediaType the body's content type is not one we read (415)
    │   ├── PayloadTooLarge      the body is over the size limit (413)
    │   └── ValidationError      parsed, but one or more fields are wrong (422)
    ├── AuthError
    │   ├── Unauthenticated      no token, or an unknown or revoked one (401)
    │   └── Forbidden            a valid token whose role may not do this (403)
    ├── RateLimited              too many writes, or failed keys; retry after N seconds (429)
    ├── NotFound                 no such article, token or resource (404)
    │   └── Gone                 the article was retracted (410)
    ├── Conflict                 the request clashes with the stored state (409)
    ├── StoreError               the database failed or is not usable (503)
    │   └── SchemaOutOfDate      the schema is behind the code: run `syndicate db upgrade`
    ├── SchedulerLocked          another process runs the scheduler already
    ├── LockBusy                 a named lock (publish) stayed held elsewhere past the wait
    ├── JobUnfinished            a job run did not succeed: failed, abandoned, or past a deadline
    ├── PublishError             a rendered feed failed its check; the old file stays
    ├── SourceError              an upstream feed could not be used (recorded on its source)
    │   ├── FetchRefused         address, scheme or redirect not allowed (SSRF guard)
    │   ├── FetchFailed          network failure, timeout or an HTTP error status
    │   ├── FetchTooLarge        the body passed the byte limit (after decompression)
    │   └── FeedInvalid          not a feed we read: bad XML, DTD entities, bad JSON Feed
    └── TranslationError         the translation engine could not translate
        ├── PairUnavailable      no installed package (or pivot) for the language pair
        ├── EngineFailure        the engine failed while translating (retried with backoff)
        └── PackageError         an Argos package file or index entry is invalid
"""

from __future__ import annotations

from dataclasses import dataclass


class SyndicateError(Exception):
    """Base of every error syndicate raises on purpose."""


class ConfigError(SyndicateError):
    """One or more settings are invalid; the message names each variable."""


class GlossaryError(ConfigError):
    """The glossary file is malformed; the message says where."""


class InputError(SyndicateError):
    """The caller sent input that cannot be accepted."""


class MalformedInput(InputError):
    """The body cannot be decoded or parsed."""

    def __init__(self, detail: str, field: str = "body") -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class UnsupportedMediaType(InputError):
    """The content type is not one syndicate reads."""

    def __init__(self, media_type: str, accepted: tuple[str, ...]) -> None:
        super().__init__(f"content type {media_type or '(none)'!r} is not accepted")
        self.media_type = media_type
        self.accepted = accepted


class PayloadTooLarge(InputError):
    """The body is over the configured limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body is larger than {limit} bytes")
        self.limit = limit


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field: where it is and what is wrong with it."""

    field: str
    detail: str


class ValidationError(InputError):
    """The input parsed but one or more fields are invalid."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        if not problems:
            raise ValueError("ValidationError needs at least one problem")
        super().__init__("; ".join(f"{p.field}: {p.detail}" for p in problems))
        self.problems = tuple(problems)

    @classmethod
    def single(cls, field: str, detail: str) -> ValidationError:
        """Build the error for one invalid field."""
        return cls([FieldProblem(field, detail)])


class AuthError(SyndicateError):
    """The caller is not allowed in."""


class Unauthenticated(AuthError):
    """No token, or an unknown or revoked token."""


class Forbidden(AuthError):
    """A valid token whose role does not allow the action."""


class RateLimited(SyndicateError):
    """A token sent more writes, or an address more failed keys, than the limit allows."""

    def __init__(self, retry_after: int, what: str = "too many writes from this token") -> None:
        super().__init__(f"{what}; retry in {retry_after} s")
        self.retry_after = retry_after


class NotFound(SyndicateError):
    """The named resource does not exist."""


class Gone(NotFound):
    """The resource existed and was withdrawn (a retracted article)."""


class Conflict(SyndicateError):
    """The request clashes with the stored state."""


class StoreError(SyndicateError):
    """The database failed or is not usable."""


class SchemaOutOfDate(StoreError):
    """The database schema is older than the code."""


class SchedulerLocked(SyndicateError):
    """Another process holds the scheduler lock; exactly one scheduler may run."""


class LockBusy(SyndicateError):
    """A named lock stayed held by another process for longer than the caller would wait."""


class JobUnfinished(SyndicateError):
    """A job run failed, was abandoned by a process that died, or outlived the wait for it."""


class PublishError(SyndicateError):
    """A rendered document failed its check; the previous file was left in place."""


class SourceError(SyndicateError):
    """An upstream feed could not be fetched or read; recorded on its source, never raised
    to a web caller. ``counts_toward_pause``: the failure is the feed's, not the network's."""

    kind = "error"
    counts_toward_pause = True

    def __init__(self, detail: str, *, retry_after: int | None = None,
                 status: int | None = None, feed_fault: bool | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after
        self.status = status
        if feed_fault is not None:  # e.g. a 404 is the feed's fault, a 503 is not
            self.counts_toward_pause = feed_fault


class FetchRefused(SourceError):
    """The address (after DNS), the scheme or a redirect is not allowed."""

    kind = "refused"


class FetchFailed(SourceError):
    """The connection failed, timed out, or the server answered with an error status."""

    kind = "fetch"
    counts_toward_pause = False


class FetchTooLarge(SourceError):
    """The body (after decompression) passed SYNDICATE_FETCH_MAX_BYTES."""

    kind = "too_large"


class FeedInvalid(SourceError):
    """The document is not an RSS, Atom or JSON Feed we can read safely."""

    kind = "parse"


class TranslationError(SyndicateError):
    """The translation engine could not translate."""


class PairUnavailable(TranslationError):
    """No installed package translates this pair, directly or through English."""

    def __init__(self, source: str, target: str) -> None:
        pivot = "" if "en" in (source, target) else \
            f" (and no {source}→en and en→{target} pair to pivot through)"
        super().__init__(f"no {source}→{target} model installed{pivot}: install one with "
                         f"`syndicate models install` (Argos) or an apertium-* package")
        self.source = source
        self.target = target


class EngineFailure(TranslationError):
    """The engine failed while translating; the job retries with backoff."""


class PackageError(TranslationError):
    """An Argos package file or index entry is invalid; nothing was installed."""
