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

from ..sanitize import loggable, redacted_query

log = logging.getLogger("syndicate.access")


class AccessLog:
    """WSGI middleware writing one access-log line per request."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        started = time.monotonic()

        def logged(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            length = next((v for k, v in headers if k.lower() == "content-length"), "-")
            query = loggable(redacted_query(environ.get("QUERY_STRING", "")))
            log.info('%s "%s %s%s" %s %s %.1fms', environ.get("REMOTE_ADDR", "-"),
                     loggable(environ.get("REQUEST_METHOD", "-")),
                     loggable(environ.get("PATH_INFO", "")),
                     f"?{query}" if query else "", status.split(" ", 1)[0], length,
                     (time.monotonic() - started) * 1000)
            return start_response(status, headers, exc_info)

        return self.app(environ, logged)  # type: ignore[no-any-return]
