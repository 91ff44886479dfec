"""Record every job run (start, end, outcome, counts, error) under a lease, for operators.

A run is recorded as ``running`` with a lease that a heartbeat renews while it works; if the
process dies, the scheduler's reaper marks the run ``abandoned`` (see ``store.jobs.reap``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .. import leases
from ..service import Service

log = logging.getLogger(__name__)
Job = Callable[[Service], Any]


@contextmanager
def leased(service: Service, run_id: int) -> Iterator[None]:
    """Renew a run's lease while the block runs."""
    with leases.heartbeat(lambda: service.job_runs.renew(run_id),
                          service.settings.database.lease_seconds / 3):
        yield


def run_recorded(service: Service, name: str, func: Job, *, trigger: str = "scheduled",
                 requested_by: str | None = None) -> Any:
    """Run a job function and record the run, whatever its outcome."""
    run_id = service.job_runs.start(name, trigger, requested_by)
    try:
        with leased(service, run_id):
            result = func(service)
    except Exception as exc:  # any failure is recorded, then re-raised for APScheduler to log
        service.job_runs.finish(run_id, counts={}, error=f"{type(exc).__name__}: {exc}")
        log.exception("job %s (run %d) failed", name, run_id)
        raise
    service.job_runs.finish(run_id, counts=report_counts(result))
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
