"""The one public URL of an instance: the base of every link its documents carry.

The serving process records its SYNDICATE_PUBLIC_URL in the database when it starts; every
process that writes documents (the scheduler, a `syndicate republish` from any shell) takes
that one, so links never depend on the environment of the shell that ran a command. A change
of the recorded URL marks every document to be written again, archive pages included.
"""

from __future__ import annotations

import logging
import time

from ..store import Store, instance
from ..store import feeds as feed_store

log = logging.getLogger(__name__)
REREAD_SECONDS = 5.0  # another process's change of URL is taken within this


class PublicUrl:
    """The instance's public URL, as recorded, and this process's own."""

    def __init__(self, store: Store, own: str, languages: tuple[str, ...]) -> None:
        self.store = store
        self.own = own
        self.languages = languages
        self._known: tuple[float, str] | None = None  # (when read, URL): article pages ask

    def current(self) -> str:
        """Return the recorded public URL (this process's own when none is recorded yet),
        read again at most every few seconds: every article page asks for it."""
        now = time.monotonic()
        if self._known is None or now - self._known[0] > REREAD_SECONDS:
            with self.store.read() as session:
                self._known = (now, instance.get(session, instance.PUBLIC_URL) or self.own)
        return self._known[1]

    def adopt(self) -> str | None:
        """Record this process's public URL as the instance's; when it changes, every
        document is marked to be written again. Return the URL it replaced, if another."""
        self._known = None
        with self.store.write() as session:
            feed_store.lock(session)
            previous = instance.put(session, instance.PUBLIC_URL, self.own)
            if previous is None or previous == self.own:
                return None
            feed_store.touch(session, self.languages)
            feed_store.mark_all_stale(session)
        self._known = None
        log.warning("the public URL changed from %s to %s: every document is written again",
                    previous, self.own)
        return previous
