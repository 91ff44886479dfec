"""Attach job triggers to an APScheduler 3 scheduler; hold the one-scheduler lock.

Exactly one process runs the scheduler: ``acquire_lock`` takes an exclusive file lock in the
instance folder, and a second ``syndicate scheduler`` (or ``serve``) refuses to start. Web workers
under gunicorn never start one: only the ``serve`` and ``scheduler`` commands do.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from filelock import FileLock, Timeout

from ..errors import SchedulerLocked
from ..services import Services
from .publish import publish_feeds
from .queue import dispatch
from .runs import recorded
from .translate import translate_pending

log = logging.getLogger(__name__)
LOCK_NAME = "scheduler.lock"
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 60}


@dataclass(frozen=True)
class Schedule:
    """A plain job function and how often it runs."""

    job_id: str
    func: Callable[[Services], object]
    interval: Callable[[Services], int]


SCHEDULES: tuple[Schedule, ...] = (
    Schedule("translate", translate_pending, lambda s: s.settings.translate_interval),
    Schedule("publish", publish_feeds, lambda s: s.settings.publish_interval),
)
DISPATCH_SECONDS = 2  # how soon an operator's queued request starts


def acquire_lock(instance_dir: Path) -> FileLock:
    """Take the scheduler lock or raise SchedulerLocked naming the lock file."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    path = instance_dir / LOCK_NAME
    lock = FileLock(path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise SchedulerLocked(
            f"another scheduler is running (it holds {path}); exactly one may run"
        ) from None
    return lock


def build(services: Services, *, blocking: bool) -> BaseScheduler:
    """Return a scheduler with every job attached, not yet started."""
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler: BaseScheduler = cls(job_defaults=JOB_DEFAULTS, timezone=UTC)
    for schedule in SCHEDULES:
        scheduler.add_job(recorded(schedule.job_id, schedule.func), "interval", args=[services],
                          id=schedule.job_id, next_run_time=datetime.now(UTC),
                          seconds=schedule.interval(services), replace_existing=True)
    # Operators' requests: not recorded again here, each queued run is its own record.
    scheduler.add_job(dispatch, "interval", args=[services], id="dispatch",
                      seconds=DISPATCH_SECONDS, replace_existing=True)
    log.info("scheduler has %d job(s): %s", len(SCHEDULES),
             ", ".join(s.job_id for s in SCHEDULES) or "none")
    return scheduler
