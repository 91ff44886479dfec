"""A deadline for one fetch that holds whatever the server does.

Socket timeouts bound each read, not the whole: a server that sends one header byte every
few seconds, or trickles chunk-size lines, resets them forever. A ``Watchdog`` holds a
duplicate of every socket its fetch opens (through the connection classes below, which
urllib3 uses for the guarded adapter's pools) and, when the deadline passes or the poller
stops, shuts them down: the blocked read returns at once and the fetch ends with an error.
``shutdown`` acts on the connection, not the descriptor, so it works on the duplicate and
through TLS alike, and the duplicate is closed when the fetch ends.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_current = threading.local()  # the watchdog of the fetch running on this thread, if any


class Watchdog:
    """Shut down a fetch's sockets at its deadline, or when asked."""

    def __init__(self, seconds: float) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self.fire)
        self._timer.daemon = True
        self.fired = False

    def watch(self, sock: socket.socket) -> None:
        """Keep a duplicate of sock to shut down later (at once if the deadline passed)."""
        duplicate = socket.socket(fileno=sock.dup().detach())
        with self._lock:
            self._sockets.append(duplicate)
            fired = self.fired
        if fired:
            _shutdown(duplicate)

    def fire(self) -> None:
        """End the fetch now: every socket it opened is shut down."""
        with self._lock:
            self.fired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)

    @contextlib.contextmanager
    def running(self) -> Iterator[Watchdog]:
        """Arm the deadline for the fetch on this thread; disarm and let go after it."""
        _current.watchdog = self
        self._timer.start()
        try:
            yield self
        finally:
            self._timer.cancel()
            _current.watchdog = None
            with self._lock:
                sockets, self._sockets = self._sockets, []
            for sock in sockets:
                sock.close()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the peer or by the fetch
        sock.shutdown(socket.SHUT_RDWR)


def _watched(sock: socket.socket) -> socket.socket:
    watchdog: Watchdog | None = getattr(_current, "watchdog", None)
    if watchdog is not None:
        watchdog.watch(sock)
    return sock


class _HTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _watched(super()._new_conn())


class _HTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _watched(super()._new_conn())


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


POOL_CLASSES: dict[str, Any] = {"http": _HTTPPool, "https": _HTTPSPool}
