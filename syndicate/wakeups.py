"""Wake-ups: a committed change wakes the loop that acts on it, at once and never lost.

Two concerns ring: ``translate`` (work was queued: an ingest, a poll, a retranslation, a
package installed) and ``publish`` (a feed was marked changed: a translation stored, a
retraction). A bell counts its rings. A loop remembers the count before it works and, once it
has nothing left, waits until the count moves on (or its interval passes: the safety net). So a
ring while a pass runs makes exactly one more pass, however many rings came: bursts coalesce,
and a ring between "nothing left" and "wait" is never slept through.

In one process the store rings after each commit. Across processes and hosts (PostgreSQL) the
same commit sends ``NOTIFY`` and each waiting process's listener rings its own bells
(``store.listen``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

CONCERNS = ("translate", "publish")


class Bell:
    """A wake-up counter that loops wait on."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._rings = 0

    def ring(self) -> None:
        """Wake every loop waiting on this bell (and the next one that looks)."""
        with self._changed:
            self._rings += 1
            self._changed.notify_all()

    def rings(self) -> int:
        """Return how many times the bell has rung; remember it before working."""
        with self._changed:
            return self._rings

    def wait(self, seen: int, timeout: float, until: Callable[[], bool] | None = None) -> bool:
        """Wait until the bell rings after ``seen`` rings (True), ``until()`` holds when
        nudged (True), or ``timeout`` passes (False)."""
        with self._changed:
            return self._changed.wait_for(
                lambda: self._rings != seen or (until is not None and until()), timeout)

    def nudge(self) -> None:
        """Wake the waiters to look at their ``until`` (not a ring: no pass is owed)."""
        with self._changed:
            self._changed.notify_all()


@dataclass
class Bells:
    """One bell per concern, shared by everything in a process."""

    translate: Bell = field(default_factory=Bell)
    publish: Bell = field(default_factory=Bell)

    def ring(self, concern: str) -> None:
        """Ring the bell of a concern (``translate`` or ``publish``); others are ignored."""
        bell = self.of(concern)
        if bell is not None:
            bell.ring()

    def ring_all(self) -> None:
        """Ring every bell (after a gap in which rings may have been missed)."""
        for concern in CONCERNS:
            self.ring(concern)

    def of(self, concern: str) -> Bell | None:
        """Return a concern's bell, or None for an unknown concern."""
        bell = getattr(self, concern, None) if concern in CONCERNS else None
        return bell if isinstance(bell, Bell) else None
