"""Serving published files to readers and partners: conditional GET, gzip, caching headers."""

from __future__ import annotations

import gzip
import hashlib
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Request, Response
from werkzeug.http import http_date, parse_date

MEDIA_TYPES = {
    "rss.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
    "feed.json": "application/feed+json; charset=utf-8",
    "ninjs.json": "application/json; charset=utf-8",  # IPTC registers no media type for ninjs
}
SITEMAP_TYPE = "application/xml; charset=utf-8"
ROBOTS_TYPE = "text/plain; charset=utf-8"
ARCHIVE_TYPE = "application/atom+xml; charset=utf-8"
# What every answer carries (web.security_headers adds them to Flask's answers)
SECURITY_HEADERS = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"))

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


@dataclass(frozen=True)
class _Cached:
    stamp: tuple[int, int]  # mtime_ns, size
    body: bytes
    gzipped: bytes
    etag: str
    modified: datetime


class FileCache:
    """Bodies, gzip variants and ETags of published files, re-read when a file changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[Path, _Cached] = {}

    def get(self, path: Path) -> _Cached | None:
        try:
            stat = path.stat()
        except FileNotFoundError:
            return None
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._files.get(path)
        if cached is not None and cached.stamp == stamp:
            return cached
        body = path.read_bytes()
        cached = _Cached(
            stamp, body, gzip.compress(body, mtime=0),
            hashlib.sha256(body).hexdigest()[:32],
            datetime.fromtimestamp(int(stat.st_mtime), UTC),
        )
        with self._lock:
            self._files[path] = cached
        return cached


@dataclass(frozen=True)
class Answer:
    """What to send for a published file: status, headers and body."""

    status: int
    headers: dict[str, str]
    body: bytes


def answer(accept_encoding: str | None, if_none_match: str | None,
           if_modified_since: str | None, cached: _Cached, media_type: str,
           max_age: int, *, private: bool = False) -> Answer:
    """Return the file, a 304, or its gzip variant, with validators and caching headers; a
    ``private`` file (a partner's, by key) may be kept by the puller, never by a shared
    cache, and varies with the key."""
    use_gzip = "gzip" in (accept_encoding or "").lower()
    etag = f'"{cached.etag}-gzip"' if use_gzip else f'"{cached.etag}"'
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(cached.modified),
        "Cache-Control": f"{'private' if private else 'public'}, max-age={max_age}",
        "Vary": "Accept-Encoding, Authorization" if private else "Accept-Encoding",
    }
    if _not_modified(if_none_match, if_modified_since, cached, etag):
        return Answer(304, headers, b"")
    headers["Content-Type"] = media_type
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
        return Answer(200, headers, cached.gzipped)
    return Answer(200, headers, cached.body)


def respond(request: Request, cached: _Cached, media_type: str, max_age: int, *,
            private: bool = False) -> Response:
    """Answer a Flask request for a published file."""
    got = answer(request.headers.get("Accept-Encoding"), request.headers.get("If-None-Match"),
                 request.headers.get("If-Modified-Since"), cached, media_type, max_age,
                 private=private)
    return Response(got.body, status=got.status, headers=got.headers)


def _not_modified(if_none_match: str | None, if_modified_since: str | None, cached: _Cached,
                  etag: str) -> bool:
    if if_none_match is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag in tags
    since = parse_date(if_modified_since)
    return since is not None and cached.modified <= since


_FEED_PATH = re.compile(r"^/feeds/([A-Za-z0-9-]{2,35})/(rss\.xml|atom\.xml|feed\.json|ninjs\.json|"
                        r"archive/[1-9][0-9]{0,9}\.xml)$")


class FeedFiles:
    """WSGI fast path for published feed files, in front of Flask (what nginx does in
    production, for deployments without it): the same answers as the feed views, without
    building a Flask request. Anything else, or a file not published yet, goes to Flask."""

    def __init__(self, app: WSGIApplication, cache: FileCache, feeds_dir: Path,
                 languages: tuple[str, ...], max_age: int) -> None:
        self.app = app
        self.cache = cache
        self.feeds_dir = feeds_dir
        self.languages = frozenset(languages)
        self.max_age = max_age

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse
                 ) -> Iterable[bytes]:
        match = _FEED_PATH.match(environ.get("PATH_INFO", ""))
        if match is None or environ.get("REQUEST_METHOD") not in ("GET", "HEAD") \
                or match.group(1) not in self.languages:
            return self.app(environ, start_response)
        cached = self.cache.get(self.feeds_dir / match.group(1) / match.group(2))
        if cached is None:
            return self.app(environ, start_response)
        name = match.group(2)
        got = answer(environ.get("HTTP_ACCEPT_ENCODING"), environ.get("HTTP_IF_NONE_MATCH"),
                     environ.get("HTTP_IF_MODIFIED_SINCE"), cached,
                     MEDIA_TYPES.get(name, ARCHIVE_TYPE), self.max_age)
        body = b"" if environ["REQUEST_METHOD"] == "HEAD" and got.status == 200 else got.body
        headers = [*got.headers.items(), ("Content-Length", str(len(got.body))),
                   *SECURITY_HEADERS]
        start_response("304 Not Modified" if got.status == 304 else "200 OK", headers)
        return [body]
