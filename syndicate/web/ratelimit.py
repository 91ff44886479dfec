"""Per-token rate limiting of writes: a token bucket per token, in this process.

Each worker process keeps its own buckets, so with N gunicorn workers a token may send up to
N times the limit; the limit is a guard against runaway clients, not an exact quota.
"""

from __future__ import annotations

import math
import threading
import time

from ..errors import RateLimited


class RateLimiter:
    """Allow ``per_minute`` writes per token, refilled continuously (0 turns it off)."""

    def __init__(self, per_minute: int) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # token -> (tokens, last time)

    def check(self, token: str) -> None:
        """Take one write from the token's bucket or raise RateLimited."""
        if self.capacity <= 0:
            return
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(token, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens < 1:
                self._buckets[token] = (tokens, now)
                raise RateLimited(max(1, math.ceil((1 - tokens) / self.rate)))
            self._buckets[token] = (tokens - 1, now)
