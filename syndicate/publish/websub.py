"""Tell a WebSub hub that feeds changed. A hub that is down never fails a publish."""

from __future__ import annotations

import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable

log = logging.getLogger(__name__)


def notify(hub: str, feed_urls: Iterable[str], timeout: float = 5) -> int:
    """POST hub.mode=publish for each URL; return how many the hub accepted."""
    accepted = 0
    for url in feed_urls:
        body = urllib.parse.urlencode({"hub.mode": "publish", "hub.url": url}).encode()
        request = urllib.request.Request(
            hub, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                accepted += 200 <= response.status < 300
        except (urllib.error.URLError, OSError) as exc:
            log.warning("WebSub hub %s not notified of %s: %s", hub, url, exc)
    return accepted
