"""Record every job run (start, end, outcome, counts, error) for the operator endpoints."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

from ..services import Services
from ..store import jobs as job_store

log = logging.getLogger(__name__)
Job = Callable[[Services], Any]


def run_recorded(services: Services, name: str, func: Job, *, trigger: str = "scheduled",
                 requested_by: str | None = None) -> Any:
    """Run a job function and record the run, whatever its outcome."""
    pipeline = services.pipeline
    with services.store.write() as session:
        run_id = job_store.start(session, name, trigger, requested_by, pipeline.clock())
    try:
        result = func(services)
    except Exception as exc:  # any failure is recorded, then re-raised for APScheduler to log
        with services.store.write() as session:
            job_store.finish(session, run_id, ok=False, counts={},
                             error=f"{type(exc).__name__}: {exc}", now=pipeline.clock())
        log.exception("job %s (run %d) failed", name, run_id)
        raise
    with services.store.write() as session:
        job_store.finish(session, run_id, ok=True, counts=report_counts(result), error=None,
                         now=pipeline.clock())
    return result


def recorded(name: str, func: Job) -> Job:
    """Return func wrapped so that each scheduled run is recorded."""

    def run(services: Services) -> Any:
        return run_recorded(services, name, func)

    run.__name__ = f"recorded_{name}"
    return run


def report_counts(result: Any) -> dict[str, Any]:
    """Return a job's report (a dataclass) as JSON-ready counts for its run record."""
    if not dataclasses.is_dataclass(result) or isinstance(result, type):
        return {}
    return {k: list(v) if isinstance(v, tuple) else v
            for k, v in dataclasses.asdict(result).items()}
