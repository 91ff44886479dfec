"""When to poll a source next (pure: the caller passes the clock and the random draw).

A good poll waits the longest of the source's interval, the feed's RSS ``ttl``, the response's
``Cache-Control: max-age`` and ``Retry-After``, kept between a floor and a ceiling. A failure
waits the interval doubled per consecutive failure (or Retry-After, if longer), up to the
ceiling. Every wait is stretched by up to ``JITTER`` so sources added together spread out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

JITTER = 0.1


@dataclass(frozen=True)
class Pace:
    """The source's own interval and the service's floor and ceiling, in seconds."""

    interval: int
    floor: int
    ceiling: int


def after_success(pace: Pace, now: datetime, draw: float, *, ttl_minutes: int | None = None,
                  max_age: int | None = None, retry_after: int | None = None) -> datetime:
    """Return the next poll after a good fetch (200 or 304); draw is uniform in [0, 1)."""
    wait = max(pace.interval, (ttl_minutes or 0) * 60, max_age or 0, retry_after or 0)
    return now + _jittered(_clamp(wait, pace), draw)


def after_failure(pace: Pace, now: datetime, draw: float, failures: int, *,
                  retry_after: int | None = None) -> datetime:
    """Return the next poll after the failures-th failure in a row (failures >= 1)."""
    backoff = pace.interval * 2 ** min(max(failures, 1) - 1, 20)
    return now + _jittered(_clamp(max(backoff, retry_after or 0), pace), draw)


def _clamp(seconds: int, pace: Pace) -> int:
    return min(max(seconds, pace.floor), pace.ceiling)


def _jittered(seconds: int, draw: float) -> timedelta:
    return timedelta(seconds=seconds * (1 + JITTER * min(max(draw, 0.0), 1.0)))
