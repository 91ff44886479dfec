"""Job runs: the record of every job, scheduled or requested, and the queue of requested ones.

Each method is one short transaction; the jobs package decides when to call them (the
scheduler's dispatch, the CLI's run-here, every recorded scheduled job).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from .. import leases
from ..clock import Clock
from ..models import JobRun
from ..store import Store
from ..store import jobs as job_store


class JobRuns:
    """Queue, claim, renew, finish and reap job runs, each under a lease."""

    def __init__(self, store: Store, clock: Clock, owner: str, lease_seconds: int) -> None:
        self.store = store
        self.clock = clock
        self.owner = owner
        self.lease = timedelta(seconds=lease_seconds)

    def enqueue(self, job: str, params: dict[str, Any], requested_by: str
                ) -> tuple[JobRun, bool]:
        """Queue a run (or join the equal one under way); return it and whether it is new."""
        key = json.dumps(params, sort_keys=True)
        with self.store.write() as session:
            return job_store.enqueue(session, job, params, requested_by, key, self.clock())

    def get(self, run_id: int) -> JobRun:
        """Return one run or raise NotFound."""
        with self.store.read() as session:
            return job_store.get(session, run_id)

    def claim(self, run_id: int | None = None) -> JobRun | None:
        """Claim the oldest queued run (or the given one) for this process, under a lease."""
        with self.store.write() as session:
            now = self.clock()
            return job_store.claim(session, now, self.owner, now + self.lease, run_id=run_id)

    def start(self, job: str, trigger: str, requested_by: str | None) -> int:
        """Record a scheduled run as running in this process; return its id."""
        with self.store.write() as session:
            now = self.clock()
            return job_store.start(session, job, trigger, requested_by, now, self.owner,
                                   now + self.lease)

    def renew(self, run_id: int) -> None:
        """Extend this process's lease on a run."""
        with self.store.write() as session:
            job_store.renew(session, run_id, self.owner, self.clock() + self.lease)

    def progress(self, run_id: int, done: int, total: int) -> None:
        """Record how far a run has come."""
        with self.store.write() as session:
            job_store.progress(session, run_id, {"progress": {"done": done, "total": total}})

    def finish(self, run_id: int, *, counts: dict[str, Any], error: str | None = None) -> None:
        """Record a run's end: succeeded with its counts, or failed with its error."""
        with self.store.write() as session:
            job_store.finish(session, run_id, ok=error is None, counts=counts, error=error,
                             now=self.clock())

    def reap(self) -> list[int]:
        """Mark abandoned the runs whose process died; return their ids."""
        with self.store.write() as session:
            return job_store.reap(session, self.clock(), leases.gone)
