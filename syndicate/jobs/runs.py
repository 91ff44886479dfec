"""Record every job run (start, end, outcome, counts, error) under a lease, for operators.

A run is recorded as ``running`` with a lease that a heartbeat renews while it works; if the
process dies, the scheduler's reaper marks the run ``abandoned`` (see ``store.jobs.reap``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from .. import leases
from ..service import Service
from ..store import jobs as job_store

log = logging.getLogger(__name__)
Job = Callable[[Service], Any]


@contextmanager
def leased(service: Service, run_id: int, owner: str) -> Iterator[None]:
    """Renew a run's lease while the block runs."""
    lease = timedelta(seconds=service.settings.lease_seconds)
    clock = service.clock

    def renew() -> None:
        with service.store.write() as session:
            job_store.renew(session, run_id, owner, clock() + lease)

    with leases.heartbeat(renew, lease.total_seconds() / 3):
        yield


def run_recorded(service: Service, name: str, func: Job, *, trigger: str = "scheduled",
                 requested_by: str | None = None) -> Any:
    """Run a job function and record the run, whatever its outcome."""
    clock = service.clock
    owner = service.owner
    lease = timedelta(seconds=service.settings.lease_seconds)
    with service.store.write() as session:
        now = clock()
        run_id = job_store.start(session, name, trigger, requested_by, now, owner, now + lease)
    try:
        with leased(service, run_id, owner):
            result = func(service)
    except Exception as exc:  # any failure is recorded, then re-raised for APScheduler to log
        with service.store.write() as session:
            job_store.finish(session, run_id, ok=False, counts={},
                             error=f"{type(exc).__name__}: {exc}", now=clock())
        log.exception("job %s (run %d) failed", name, run_id)
        raise
    with service.store.write() as session:
        job_store.finish(session, run_id, ok=True, counts=report_counts(result), error=None,
                         now=clock())
    return result


def recorded(name: str, func: Job, due: Callable[[Service], bool] | None = None) -> Job:
    """Return func wrapped so that each scheduled run is recorded (only when ``due`` says
    there is work, if given: an idle tick leaves no record)."""

    def run(service: Service) -> Any:
        if due is not None and not due(service):
            return None
        return run_recorded(service, name, func)

    run.__name__ = run.__qualname__ = f"recorded_{name}"
    return run


def report_counts(result: Any) -> dict[str, Any]:
    """Return a job's report (a dataclass) as JSON-ready counts for its run record."""
    if not dataclasses.is_dataclass(result) or isinstance(result, type):
        return {}
    return {k: list(v) if isinstance(v, tuple) else v
            for k, v in dataclasses.asdict(result).items()}
