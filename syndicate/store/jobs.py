"""Queries for job runs: every scheduled or requested run, its outcome, counts and error."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import JobRun
from .schema import JobRunRow


def start(session: Session, job: str, trigger: str, requested_by: str | None,
          now: datetime) -> int:
    """Record a run as running; return its id."""
    row = JobRunRow(job=job, trigger=trigger, requested_by=requested_by, state="running",
                    started=now, counts={})
    session.add(row)
    session.flush()
    return row.id


def finish(session: Session, run_id: int, *, ok: bool, counts: dict[str, Any],
           error: str | None, now: datetime) -> None:
    """Record a run's end."""
    row = session.get(JobRunRow, run_id)
    if row is None:
        raise NotFound(f"no job run {run_id}")
    row.state = "succeeded" if ok else "failed"
    row.counts = counts
    row.error = error
    row.finished = now


def recent(session: Session, limit: int = 50, job: str | None = None) -> list[JobRun]:
    """Return the newest runs first."""
    query = select(JobRunRow).order_by(JobRunRow.id.desc()).limit(limit)
    if job:
        query = query.where(JobRunRow.job == job)
    return [_entity(r) for r in session.scalars(query)]


def get(session: Session, run_id: int) -> JobRun:
    """Return one run or raise NotFound."""
    row = session.get(JobRunRow, run_id)
    if row is None:
        raise NotFound(f"no job run {run_id}")
    return _entity(row)


def _entity(row: JobRunRow) -> JobRun:
    return JobRun(row.id, row.job, row.trigger, row.requested_by, row.state, row.started,
                  row.finished, dict(row.counts or {}), row.error)
