"""Leases: who holds a piece of work, until when, and a heartbeat that renews it.

Work claimed from the database (a job run, a batch of translations) carries an owner and an
expiry. The holder renews it while it works; when the holder dies, the expiry passes and the
work goes back to the queue. An owner names its host and process, so work held by a process
that is gone from *this* host is given back at once instead of at expiry.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Held:
    """A named lock this process holds: release it, or check it is still held."""

    release: Callable[[], None]
    alive: Callable[[], bool]


def new_owner(role: str) -> str:
    """Return a fresh owner name: host, process id, role and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{role}:{uuid.uuid4().hex[:8]}"


def gone(owner: str) -> bool:
    """Say whether owner was a process on this host that no longer runs."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False  # another host's: only its lease expiry tells
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


@contextmanager
def heartbeat(renew: Callable[[], None], every: float) -> Iterator[None]:
    """Call renew every ``every`` seconds in a thread while the block runs."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            try:
                renew()
            except Exception:  # a missed beat is survivable; the next one may succeed
                log.exception("lease renewal failed")

    thread = threading.Thread(target=beat, name="lease-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
