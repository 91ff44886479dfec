"""The optional access log (SYNDICATE_ACCESS_LOG=1): one line per request, secrets redacted.

It wraps the whole WSGI app, so feed files served before Flask are logged too, and logs when
the answer starts (status, length, time to first byte); the body passes through untouched
(``wsgi.file_wrapper`` still sends feed files).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

log = logging.getLogger("syndicate.access")
SECRET_PARAMS = frozenset({"key", "token", "access_token", "api_key", "apikey", "secret"})


def redacted(query: str) -> str:
    """Return a query string with the values of secret-bearing parameters replaced."""
    if not query:
        return ""
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, "[redacted]" if k.lower() in SECRET_PARAMS else v) for k, v in pairs],
                     safe="[]/,:")


class AccessLog:
    """WSGI middleware writing one access-log line per request."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        started = time.monotonic()

        def logged(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            length = next((v for k, v in headers if k.lower() == "content-length"), "-")
            query = redacted(environ.get("QUERY_STRING", ""))
            log.info('%s "%s %s%s" %s %s %.1fms', environ.get("REMOTE_ADDR", "-"),
                     environ.get("REQUEST_METHOD", "-"), environ.get("PATH_INFO", ""),
                     f"?{query}" if query else "", status.split(" ", 1)[0], length,
                     (time.monotonic() - started) * 1000)
            return start_response(status, headers, exc_info)

        return self.app(environ, logged)  # type: ignore[no-any-return]
