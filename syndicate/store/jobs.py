"""Queries for job runs: every scheduled or requested run, its outcome, counts and error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..models import JobRun
from . import counters
from .schema import JobRunRow


def enqueue(session: Session, job: str, params: dict[str, Any], requested_by: str,
            key: str, now: datetime) -> tuple[JobRun, bool]:
    """Queue a requested run, or return the equal one already queued or running (joined)."""
    existing = _active(session, job, key)
    if existing is not None:
        return _entity(existing), False
    row = JobRunRow(job=job, trigger="manual", requested_by=requested_by, state="queued",
                    started=now, queued=now, counts={}, params=params, coalesce_key=key)
    try:
        with session.begin_nested():  # a concurrent equal request may win the unique index
            session.add(row)
    except IntegrityError:
        existing = _active(session, job, key)
        if existing is None:
            raise
        return _entity(existing), False
    return _entity(row), True


def _active(session: Session, job: str, key: str) -> JobRunRow | None:
    return session.scalars(select(JobRunRow).where(
        JobRunRow.job == job, JobRunRow.coalesce_key == key,
        JobRunRow.state.in_(["queued", "running"]))).first()


def claim(session: Session, now: datetime, owner: str, until: datetime,
          run_id: int | None = None) -> JobRun | None:
    """Take the oldest queued run, or the given one, under a lease (no one else takes it)."""
    if run_id is None:
        run_id = session.scalar(select(JobRunRow.id).where(JobRunRow.state == "queued")
                                .order_by(JobRunRow.id).limit(1))
    if run_id is None:
        return None
    claimed = session.execute(update(JobRunRow)
                              .where(JobRunRow.id == run_id, JobRunRow.state == "queued")
                              .values(state="running", started=now, lease_owner=owner,
                                      lease_expires=until))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return _entity(session.get_one(JobRunRow, run_id))


def progress(session: Session, run_id: int, counts: dict[str, Any]) -> None:
    """Record a running job's progress so far."""
    session.execute(update(JobRunRow).where(JobRunRow.id == run_id).values(counts=counts))


def start(session: Session, job: str, trigger: str, requested_by: str | None,
          now: datetime, owner: str, until: datetime) -> int:
    """Record a run as running under a lease; return its id."""
    row = JobRunRow(job=job, trigger=trigger, requested_by=requested_by, state="running",
                    started=now, counts={}, lease_owner=owner, lease_expires=until)
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
    row.lease_owner, row.lease_expires = None, None
    counters.bump(session, {f"job_runs_total|{row.job}": 1,
                            f"job_failures_total|{row.job}": not ok,
                            f"job_seconds_total|{row.job}": (now - row.started).total_seconds()})


def renew(session: Session, run_id: int, owner: str, until: datetime) -> None:
    """Extend a running run's lease."""
    session.execute(update(JobRunRow).where(JobRunRow.id == run_id,
                                            JobRunRow.lease_owner == owner)
                    .values(lease_expires=until))


def reap(session: Session, now: datetime, gone: Callable[[str], bool]) -> list[int]:
    """Mark abandoned the running runs whose holder died (lease expired, or process gone)."""
    rows = session.scalars(select(JobRunRow).where(JobRunRow.state == "running"))
    out: list[int] = []
    for row in rows:
        expired = row.lease_expires is None or row.lease_expires < now
        if expired or (row.lease_owner is not None and gone(row.lease_owner)):
            row.state = "abandoned"
            row.finished = now
            row.error = (f"abandoned: its process ({row.lease_owner or 'unknown'}) stopped "
                         "before the run finished")
            row.lease_owner, row.lease_expires = None, None
            counters.bump(session, {f"job_runs_total|{row.job}": 1,
                                    f"job_failures_total|{row.job}": 1})
            out.append(row.id)
    return out


def depth(session: Session) -> int:
    """Return how many requested runs wait in the queue."""
    return session.scalar(select(func.count()).select_from(JobRunRow)
                          .where(JobRunRow.state == "queued")) or 0


def recent(session: Session, limit: int = 50, job: str | None = None,
           before: int | None = None) -> list[JobRun]:
    """Return runs newest first (ids below ``before``, for paging)."""
    query = select(JobRunRow).order_by(JobRunRow.id.desc()).limit(limit)
    if job:
        query = query.where(JobRunRow.job == job)
    if before is not None:
        query = query.where(JobRunRow.id < before)
    return [_entity(r) for r in session.scalars(query)]


def get(session: Session, run_id: int) -> JobRun:
    """Return one run or raise NotFound."""
    row = session.get(JobRunRow, run_id)
    if row is None:
        raise NotFound(f"no job run {run_id}")
    return _entity(row)


def _entity(row: JobRunRow) -> JobRun:
    return JobRun(row.id, row.job, row.trigger, row.requested_by, row.state, row.started,
                  row.finished, dict(row.counts or {}), row.error, dict(row.params or {}),
                  row.queued)
