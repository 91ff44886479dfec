"""Jobs that operators ask for: queued in the database, run by the one scheduler process.

A request becomes a ``queued`` job run and the caller gets its id at once (HTTP 202). An equal
request while one is queued or running joins it instead of starting another (a unique index on
the run's key makes that hold across processes). The scheduler's ``dispatch`` job claims queued
runs one at a time and runs them under a lease, recording progress, outcome, counts and errors;
a run whose process died is marked ``abandoned`` by ``reap``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from ..errors import JobUnfinished
from ..models import JobRun
from ..service import Service
from .runs import leased, report_counts

log = logging.getLogger(__name__)
Handler = Callable[[Service, dict[str, Any], Callable[[int, int], None]], Any]


def _republish(service: Service, params: dict[str, Any],
               progress: Callable[[int, int], None]) -> Any:
    languages = params.get("languages") or service.settings.translation.languages
    return service.pipeline.publish(languages)


def _retranslate(service: Service, params: dict[str, Any],
                 progress: Callable[[int, int], None]) -> Any:
    return service.pipeline.retranslate(params.get("articles"), params.get("languages"),
                                         force=bool(params.get("force")), progress=progress)


HANDLERS: dict[str, Handler] = {"republish": _republish, "retranslate": _retranslate}


def request(service: Service, job: str, params: dict[str, Any],
            requested_by: str) -> tuple[JobRun, bool]:
    """Queue a job run (or join the equal one under way); return it and whether it is new."""
    if job not in HANDLERS:
        raise ValueError(f"unknown job {job!r}")
    return service.job_runs.enqueue(job, params, requested_by)


def run_here(service: Service, job: str, params: dict[str, Any], requested_by: str,
             progress: Callable[[int, int], None] | None = None, *, timeout: float = 900,
             poll: float = 1.0) -> JobRun:
    """Run a requested job in this process (the CLI), or wait for the equal one under way;
    raise JobUnfinished when it fails, is abandoned, or is not over within ``timeout``."""
    run, new = request(service, job, params, requested_by)
    if new:
        claimed = _claim(service, run.id)
        if claimed is not None:
            _run(service, claimed, progress)
    deadline = time.monotonic() + timeout
    while True:
        reap(service)
        current = service.job_runs.get(run.id)
        if current.state == "succeeded":
            return current
        if current.state in ("failed", "abandoned"):
            raise JobUnfinished(f"job {current.id} {current.job} {current.state}: "
                                f"{current.error or 'no reason recorded'}")
        if time.monotonic() >= deadline:
            raise JobUnfinished(
                f"job {current.id} {current.job} is still {current.state} after {timeout:.0f} s "
                "(is a scheduler running? `syndicate jobs --id N` shows it); not waiting longer")
        time.sleep(poll)  # the scheduler process has it (queued or running): wait


def reap(service: Service) -> list[int]:
    """Mark abandoned the runs whose process died; return their ids."""
    reaped = service.job_runs.reap()
    for run_id in reaped:
        log.warning("job run %d abandoned: its process stopped", run_id)
    return reaped


def dispatch(service: Service, limit: int = 10) -> int:
    """Run queued job runs, oldest first; return how many ran."""
    ran = 0
    while ran < limit:
        run = _claim(service, None)
        if run is None:
            break
        _run(service, run)
        ran += 1
    return ran


def _claim(service: Service, run_id: int | None) -> JobRun | None:
    return service.job_runs.claim(run_id)


def _run(service: Service, run: JobRun,
         report: Callable[[int, int], None] | None = None) -> None:
    def progress(done: int, total: int) -> None:
        service.job_runs.progress(run.id, done, total)
        if report:
            report(done, total)

    try:
        with leased(service, run.id):
            result = HANDLERS[run.job](service, run.params, progress)
    except Exception as exc:  # the run's record says why; the dispatcher goes on
        log.exception("job %s (run %d) failed", run.job, run.id)
        service.job_runs.finish(run.id, counts={}, error=f"{type(exc).__name__}: {exc}")
        return
    counts = report_counts(result)
    service.job_runs.finish(run.id, counts=counts)
    log.info("job %s (run %d) succeeded: %s", run.job, run.id, counts)
