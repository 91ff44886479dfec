"""Attach job triggers to an APScheduler 3 scheduler; hold the one-active-scheduler lock.

Exactly one scheduler is active. On PostgreSQL it holds a database advisory lock, so schedulers
on several hosts agree: a second one waits as a standby, checking every third of
``SYNDICATE_FAILOVER_SECONDS``, and takes over once the active one's session is gone (a killed
process at once; a dead host once TCP keepalives give up). The active one checks its lock at the
same pace and stops scheduling if it lost it. On SQLite (one host by nature) the lock is a file
in the instance folder and a second scheduler refuses to start. Web workers never schedule.

While active it runs the interval jobs here (APScheduler) and the event-driven loops (``loops``:
the translation worker and the publisher, woken the moment their work is committed, with
PostgreSQL's LISTEN/NOTIFY carrying wake-ups from other processes and hosts).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler

from ..errors import SchedulerLocked
from ..leases import Held
from ..service import Service
from . import loops
from .publish import has_changes, publish_feeds
from .queue import dispatch, reap
from .runs import recorded
from .sources import TICK_SECONDS, poll_sources

log = logging.getLogger(__name__)
LOCK_NAME = "scheduler"
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 60}
DISPATCH_SECONDS = 2  # how soon an operator's request, or a marked feed, is taken up


@dataclass(frozen=True)
class Schedule:
    """A plain job function, how often it runs, and the cheap check that it has work."""

    job_id: str
    func: Callable[[Service], object]
    interval: Callable[[Service], int]
    due: Callable[[Service], bool]


# Every feed, whatever was marked: expiries, and files gone from disk. What changes mark is
# published at once by the publishing loop.
PUBLISH = Schedule("publish", publish_feeds, lambda s: s.settings.feeds.publish_interval,
                   has_changes)


def tick(service: Service) -> None:
    """Every few seconds: mark abandoned the job runs whose process died."""
    reap(service)


def build(service: Service) -> BaseScheduler:
    """Return a scheduler with every interval job attached, not yet started."""
    scheduler: BaseScheduler = BackgroundScheduler(job_defaults=JOB_DEFAULTS, timezone=UTC)
    schedules = (PUBLISH,)
    for schedule in schedules:
        scheduler.add_job(recorded(schedule.job_id, schedule.func, schedule.due), "interval",
                          args=[service], id=schedule.job_id, next_run_time=datetime.now(UTC),
                          seconds=schedule.interval(service), replace_existing=True)
    # Operators' requests (each queued run is its own record) in their own thread, so a long
    # retranslation never holds up the reaper and the publisher's tick.
    scheduler.add_job(dispatch, "interval", args=[service], id="dispatch",
                      seconds=DISPATCH_SECONDS, replace_existing=True)
    scheduler.add_job(tick, "interval", args=[service], id="tick",
                      seconds=DISPATCH_SECONDS, replace_existing=True)
    # Upstream sources, in their own thread: a slow upstream never delays the publisher.
    scheduler.add_job(poll_sources, "interval", args=[service], id="sources",
                      seconds=TICK_SECONDS, next_run_time=datetime.now(UTC),
                      replace_existing=True)
    log.info("scheduler has %d job(s): %s", len(schedules),
             ", ".join(s.job_id for s in schedules))
    return scheduler


class Leader:
    """Runs the scheduler while this process holds the lock; stands by while another does."""

    def __init__(self, service: Service, *, worker: bool = True) -> None:
        self.service = service
        self.worker = worker
        self.stopping = threading.Event()
        self.active = threading.Event()
        self.poll = max(0.5, service.settings.database.failover_seconds / 3)

    def acquire_or_refuse(self) -> Held | None:
        """Take the lock now; on SQLite refuse (SchedulerLocked) if another process holds it."""
        held = self.service.store.hold(LOCK_NAME)
        if held is None and self.service.store.is_sqlite:
            raise SchedulerLocked(
                f"another scheduler is running (it holds "
                f"{self.service.store.lock_dir / (LOCK_NAME + '.lock')}); exactly one may run")
        return held

    def run(self, held: Held | None = None) -> None:
        """Stand by until the lock is ours, schedule while it stays ours; until stop()."""
        while not self.stopping.is_set():
            if held is None:
                held = self.service.store.hold(LOCK_NAME)
            if held is None:
                self.stopping.wait(self.poll)  # standby: the active scheduler holds the lock
                continue
            try:
                self._schedule(held)
            finally:
                held.release()
                held = None

    def _schedule(self, held: Held) -> None:
        log.info("this scheduler is active")
        self.service.poller.start()
        self.service.listener.start()
        scheduler = build(self.service)
        scheduler.start()
        running = [loops.publishing(self.service)]
        if self.worker:
            running.append(loops.translating(self.service))
        for loop in running:
            loop.start()
        self.active.set()
        try:
            while not self.stopping.wait(self.poll):
                if not held.alive():
                    log.error("lost the scheduler lock (database connection gone); standing by")
                    return
        finally:
            self.active.clear()
            self.service.poller.stop()  # a long pass ends after the fetches under way
            for loop in running:
                loop.stop()
            self.service.listener.stop()
            scheduler.shutdown(wait=True)
            if self.worker:
                self.service.runner.release()

    def stop(self) -> None:
        """Stop scheduling (the running job finishes first) and leave."""
        self.stopping.set()
