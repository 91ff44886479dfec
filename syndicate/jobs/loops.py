"""Event-driven jobs: a loop runs its job when its bell rings, and at least every interval.

A committed ingest rings ``translate``; a stored translation (or any other change to a feed)
rings ``publish`` (see ``wakeups``). The worker's loop and the publisher's loop each run one
pass at a time: rings during a pass make exactly one more pass after it, and with no ring the
interval (``SYNDICATE_TRANSLATE_INTERVAL``; the publisher's few seconds) runs the job anyway,
the safety net for a wake-up that never came (another host on SQLite, a listener that is
reconnecting, work whose backoff ended).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from ..errors import SyndicateError
from ..service import Service
from ..wakeups import Bell
from .publish import has_changes, publish_feeds
from .runs import recorded
from .translate import has_work, translate_pending

log = logging.getLogger(__name__)
PUBLISH_SECONDS = 2.0  # the publisher's safety net: marked feeds are published within this


class Loop:
    """Runs a job each time a bell rings (bursts coalesce), and at least every interval."""

    def __init__(self, name: str, bell: Bell, job: Callable[[], object],
                 interval: float) -> None:
        self.name = name
        self.bell = bell
        self.job = job
        self.interval = interval
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Run the loop in a thread of its own."""
        self._stopping.clear()
        self._thread = threading.Thread(target=self.run, name=self.name, daemon=True)
        self._thread.start()

    def run(self) -> None:
        """Run passes until stop(): one now, then one after each ring or interval."""
        while not self._stopping.is_set():
            seen = self.bell.rings()
            try:
                self.job()
            except SyndicateError as exc:  # the database restarting, say: try again shortly
                log.error("%s pass failed: %s", self.name, exc)
            except Exception:  # a bug costs one pass, never the loop
                log.exception("%s pass failed", self.name)
            if not self._stopping.is_set():
                self.bell.wait(seen, self.interval)

    def stop(self) -> None:
        """Stop after the pass under way (waking the loop if it waits)."""
        self._stopping.set()
        self.bell.ring()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join()


def translating(service: Service) -> Loop:
    """Return the worker's loop: a translation pass when work is queued (recorded as a job
    run when it found work)."""
    job = recorded("translate", translate_pending, has_work)
    return Loop("translate", service.bells.translate, lambda: job(service),
                service.settings.translation.translate_interval)


def publishing(service: Service) -> Loop:
    """Return the publisher's loop: the marked feeds published as soon as they are marked."""
    job = recorded("publish", publish_feeds, has_changes)
    return Loop("publish", service.bells.publish, lambda: job(service),
                float(PUBLISH_SECONDS))
