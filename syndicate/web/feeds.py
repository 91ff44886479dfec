"""Serving published files to readers and partners: conditional GET, gzip, caching headers."""

from __future__ import annotations

import gzip
import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import Request, Response
from werkzeug.http import http_date, parse_date

MEDIA_TYPES = {
    "rss.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml; charset=utf-8",
    "feed.json": "application/feed+json; charset=utf-8",
}
ARCHIVE_TYPE = "application/atom+xml; charset=utf-8"


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


def respond(request: Request, cached: _Cached, media_type: str, max_age: int) -> Response:
    """Answer with the file, a 304, or its gzip variant, with validators and caching headers."""
    use_gzip = "gzip" in request.headers.get("Accept-Encoding", "").lower()
    etag = f'"{cached.etag}-gzip"' if use_gzip else f'"{cached.etag}"'
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(cached.modified),
        "Cache-Control": f"public, max-age={max_age}",
        "Vary": "Accept-Encoding",
    }
    if _not_modified(request, cached, etag):
        return Response(status=304, headers=headers)
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
        return Response(cached.gzipped, status=200, headers=headers, content_type=media_type)
    return Response(cached.body, status=200, headers=headers, content_type=media_type)


def _not_modified(request: Request, cached: _Cached, etag: str) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag in tags
    since = parse_date(request.headers.get("If-Modified-Since"))
    return since is not None and cached.modified <= since
