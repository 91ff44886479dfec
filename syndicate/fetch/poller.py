"""Fetch the due sources concurrently: a bounded pool, a limit per host, and each source's
own time limit, so one slow or hostile upstream never holds up the others.

The poller also remembers, in memory, when each healthy source that answered 304 is due next:
an unchanged feed costs one request and no database write. The store's ``next_fetch`` wins
whenever it changed since (an operator's fetch-now, a resume, a restart).
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from ..config import FetchSettings
from ..errors import SourceError
from ..models import Source
from .client import Client, Fetched, Limits

log = logging.getLogger(__name__)
REFILL_SECONDS = 1.0  # how often a pass with fetches under way looks for newly due sources


@dataclass(frozen=True)
class Outcome:
    """What fetching one source gave: a response (200 or 304) or the error."""

    source: Source
    result: Fetched | SourceError


class Poller:
    """Fetches sources through one Client, at most ``workers`` at once, ``per_host`` a host."""

    def __init__(self, client: Client, *, workers: int, per_host: int) -> None:
        self.client = client
        self.workers = workers
        self.per_host = per_host
        self._due: dict[int, tuple[datetime, datetime]] = {}  # id: (store's next_fetch, due)
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    def stop(self) -> None:
        """Start no more fetches and end those under way now; sources left stay due."""
        self._stopping.set()
        self.client.abort()

    def start(self) -> None:
        """Fetch again after stop()."""
        self._stopping.clear()

    @classmethod
    def from_settings(cls, fetch: FetchSettings) -> Poller:
        """Return a poller with the SYNDICATE_FETCH_* limits."""
        limits = Limits(timeout=fetch.fetch_timeout, connect_timeout=fetch.fetch_connect_timeout,
                        max_bytes=fetch.fetch_max_bytes)
        return cls(Client(limits, fetch.fetch_allow_hosts, fetch.fetch_ca_bundle),
                   workers=fetch.fetch_workers, per_host=fetch.fetch_per_host)

    def due(self, sources: Iterable[Source], now: datetime) -> list[Source]:
        """Return the sources due now, soonest first."""
        chosen = []
        listed = list(sources)
        with self._lock:
            for gone in set(self._due) - {s.id for s in listed}:
                del self._due[gone]  # removed or paused: forget (memory stays bounded)
            for source in listed:
                if source.paused:
                    continue
                seen = self._due.get(source.id)
                when = seen[1] if seen is not None and seen[0] == source.next_fetch \
                    else source.next_fetch
                if when <= now:
                    chosen.append((when, source))
        return [s for _, s in sorted(chosen, key=lambda pair: (pair[0], pair[1].id))]

    def remember(self, source: Source, due: datetime | None) -> None:
        """Keep a 304's next poll in memory (None: the store has it now)."""
        with self._lock:
            if due is None:
                self._due.pop(source.id, None)
            else:
                self._due[source.id] = (source.next_fetch, due)

    def fetch(self, sources: Iterable[Source],
              more: Callable[[], Iterable[Source]] | None = None) -> Iterator[Outcome]:
        """Fetch every source, yielding each outcome as it completes. While fetches are
        under way, ``more`` is asked every second for sources that fell due meanwhile, so a
        slow upstream never makes a healthy one wait for the next pass."""
        queues: dict[str, deque[Source]] = defaultdict(deque)
        taken: set[int] = set()

        def queue(found: Iterable[Source]) -> None:
            for source in found:
                if source.id not in taken:
                    taken.add(source.id)
                    queues[(urlsplit(source.url).hostname or "").lower()].append(source)

        queue(sources)
        running: dict[str, int] = defaultdict(int)
        pending: dict[Future[Outcome], str] = {}
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="fetch") as pool:
            def start_more() -> None:
                if self._stopping.is_set():
                    return
                for host, waiting in queues.items():
                    while waiting and running[host] < self.per_host \
                            and len(pending) < self.workers:
                        source = waiting.popleft()
                        running[host] += 1
                        pending[pool.submit(self._one, source)] = host

            start_more()
            while pending:
                done, _ = wait(pending, timeout=REFILL_SECONDS, return_when=FIRST_COMPLETED)
                for future in done:
                    running[pending.pop(future)] -= 1
                    yield future.result()
                if more is not None and pending and not self._stopping.is_set():
                    queue(more())
                start_more()

    def probe(self, url: str, allow: Sequence[str]) -> Fetched:
        """Fetch a feed once, now, as a poll would (the same limits and address policy);
        raise the SourceError a poll would record."""
        return self.client.get(url, allow=allow)

    def _one(self, source: Source) -> Outcome:
        try:
            return Outcome(source, self.client.get(source.url, etag=source.etag,
                                                   last_modified=source.last_modified,
                                                   allow=source.allow_hosts))
        except SourceError as exc:
            return Outcome(source, exc)
        except Exception as exc:  # a bug must cost one source, not the pass
            log.exception("source %d: unexpected failure while fetching", source.id)
            return Outcome(source, SourceError(f"unexpected failure: {type(exc).__name__}: "
                                               f"{exc}"))
