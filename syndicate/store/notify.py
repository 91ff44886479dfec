"""Wake-ups across processes and hosts: ``NOTIFY`` in the transaction, ``LISTEN`` beside it.

``notify(session, concern)`` marks the transaction: when it commits, this process's bells ring
(``Store.write``) and, on PostgreSQL, ``pg_notify`` (sent by the server at commit, never for a
rolled-back transaction) reaches every process listening on any host. A ``Listener`` holds one
connection of its own, ``LISTEN``s on a channel per concern and rings its process's bells. If the
connection drops, the intervals carry on (nothing depends on a wake-up arriving) while it
connects again with backoff; once listening again it rings every bell, for what was committed
in the gap. On SQLite (one host) there is nothing to listen to: the process that commits rings.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..wakeups import CONCERNS, Bells
from .engine import KEEPALIVES, RINGS, Store

if TYPE_CHECKING:
    from psycopg import Connection

log = logging.getLogger(__name__)
CHANNEL = "syndicate_{}"  # one channel per concern: syndicate_translate, syndicate_publish
RETRY_SECONDS = (1, 2, 5, 10, 30)  # waits before connecting again, then 30 s each time
CHECK_SECONDS = 15.0  # how often an idle listener checks its connection is alive


def notify(session: Session, concern: str) -> None:
    """Wake, once this transaction commits, every process waiting on ``concern``."""
    pending: set[str] = session.info.setdefault(RINGS, set())
    if concern in pending:
        return
    pending.add(concern)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, '')"),
                        {"channel": CHANNEL.format(concern)})


class Listener:
    """Rings a process's bells when any process commits work for them (PostgreSQL)."""

    def __init__(self, store: Store, bells: Bells | None = None) -> None:
        self.store = store
        self.bells = bells or store.bells
        self.listening = threading.Event()  # set while LISTEN is in place
        self.reconnects = 0  # connections made again after one was lost
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Listen in a thread of its own (nothing to do on SQLite)."""
        if self.store.is_sqlite or self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="listen", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop listening (within a second)."""
        self._stopping.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=10)

    def _run(self) -> None:
        import psycopg
        from psycopg import sql
        from psycopg.conninfo import make_conninfo

        attempt = 0
        conninfo = make_conninfo(
            self.store.url.set(drivername="postgresql").render_as_string(hide_password=False),
            connect_timeout=10, application_name="syndicate-listen", **KEEPALIVES)
        while not self._stopping.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True) as conn:
                    for concern in CONCERNS:
                        conn.execute(sql.SQL("LISTEN {}").format(
                            sql.Identifier(CHANNEL.format(concern))))
                    if attempt:
                        self.reconnects += 1
                        log.info("listening for wake-ups again")
                    attempt = 0
                    self.listening.set()
                    self.bells.ring_all()  # work committed while nobody listened
                    self._listen(conn)
            except psycopg.Error as exc:
                if self.listening.is_set() or attempt == 0:
                    log.warning("wake-ups from other processes stopped (%s); the intervals "
                                "carry on, listening again shortly", exc)
            finally:
                self.listening.clear()
            self._stopping.wait(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
            attempt += 1

    def _listen(self, conn: Connection[Any]) -> None:
        checked = time.monotonic()
        while not self._stopping.is_set():
            for note in conn.notifies(timeout=1.0):
                self.bells.ring(note.channel.removeprefix(CHANNEL.format("")))
            if time.monotonic() - checked > CHECK_SECONDS:  # a dead peer may send nothing
                conn.execute("SELECT 1")
                checked = time.monotonic()
