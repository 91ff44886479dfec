"""Jobs that operators ask for: queued in the database, run by the one scheduler process.

A request becomes a ``queued`` job run and the caller gets its id at once (HTTP 202). An equal
request while one is queued or running joins it instead of starting another (a unique index on
the run's key makes that hold across processes). The scheduler's ``dispatch`` job claims queued
runs one at a time and runs them, recording progress, outcome, counts and errors.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from ..models import JobRun
from ..services import Services
from ..store import jobs as job_store
from .runs import report_counts

log = logging.getLogger(__name__)
Handler = Callable[[Services, dict[str, Any], Callable[[int, int], None]], Any]


def _republish(services: Services, params: dict[str, Any],
               progress: Callable[[int, int], None]) -> Any:
    return services.pipeline.publish(params.get("languages"))


def _retranslate(services: Services, params: dict[str, Any],
                 progress: Callable[[int, int], None]) -> Any:
    return services.pipeline.retranslate(params.get("articles"), params.get("languages"),
                                         force=bool(params.get("force")), progress=progress)


HANDLERS: dict[str, Handler] = {"republish": _republish, "retranslate": _retranslate}


def request(services: Services, job: str, params: dict[str, Any],
            requested_by: str) -> tuple[JobRun, bool]:
    """Queue a job run (or join the equal one under way); return it and whether it is new."""
    if job not in HANDLERS:
        raise ValueError(f"unknown job {job!r}")
    key = json.dumps(params, sort_keys=True)
    with services.store.write() as session:
        return job_store.enqueue(session, job, params, requested_by, key,
                                 services.pipeline.clock())


def run_here(services: Services, job: str, params: dict[str, Any], requested_by: str,
             progress: Callable[[int, int], None] | None = None,
             poll: float = 1.0) -> JobRun:
    """Run a requested job in this process (the CLI), or wait for the equal one under way."""
    import time

    run, new = request(services, job, params, requested_by)
    if new:
        with services.store.write() as session:
            claimed = job_store.claim(session, services.pipeline.clock(), run_id=run.id)
        if claimed is not None:
            _run(services, claimed, progress)
    while True:
        with services.store.read() as session:
            current = job_store.get(session, run.id)
        if current.state in ("succeeded", "failed"):
            return current
        time.sleep(poll)  # the scheduler process has it (queued or running): wait


def dispatch(services: Services, limit: int = 10) -> int:
    """Run queued job runs, oldest first; return how many ran."""
    ran = 0
    while ran < limit:
        with services.store.write() as session:
            run = job_store.claim(session, services.pipeline.clock())
        if run is None:
            break
        _run(services, run)
        ran += 1
    return ran


def _run(services: Services, run: JobRun,
         report: Callable[[int, int], None] | None = None) -> None:
    clock = services.pipeline.clock

    def progress(done: int, total: int) -> None:
        with services.store.write() as session:
            job_store.progress(session, run.id, {"progress": {"done": done, "total": total}})
        if report:
            report(done, total)

    try:
        result = HANDLERS[run.job](services, run.params, progress)
    except Exception as exc:  # the run's record says why; the dispatcher goes on
        log.exception("job %s (run %d) failed", run.job, run.id)
        with services.store.write() as session:
            job_store.finish(session, run.id, ok=False, counts={},
                             error=f"{type(exc).__name__}: {exc}", now=clock())
        return
    counts = report_counts(result)
    with services.store.write() as session:
        job_store.finish(session, run.id, ok=True, counts=counts, error=None, now=clock())
    log.info("job %s (run %d) succeeded: %s", run.job, run.id, counts)
