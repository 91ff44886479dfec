"""Exactly one scheduler: the second one refuses to start with a clear message."""

from __future__ import annotations

import threading

import pytest
from flask.testing import FlaskCliRunner

from syndicate.errors import SchedulerLocked
from syndicate.jobs import scheduler as scheduling
from syndicate.service import Service


def test_second_scheduler_refuses_on_sqlite_and_stands_by_on_postgresql(
        service: Service) -> None:
    first = service.store.hold(scheduling.LOCK_NAME)
    assert first is not None
    leader = scheduling.Leader(service)
    if service.store.is_sqlite:
        with pytest.raises(SchedulerLocked, match="another scheduler is running"):
            leader.acquire_or_refuse()
    else:  # PostgreSQL: the lock is the database's; a second scheduler waits as a standby
        assert leader.acquire_or_refuse() is None
    first.release()
    second = leader.acquire_or_refuse()
    assert second is not None and second.alive()
    second.release()


def test_scheduler_command_refuses_while_another_runs_on_sqlite(
        runner: FlaskCliRunner, service: Service) -> None:
    lock = service.store.hold(scheduling.LOCK_NAME)
    assert lock is not None
    try:
        if service.store.is_sqlite:
            result = runner.invoke(args=["scheduler"])
            assert result.exit_code == 1
            assert "another scheduler is running" in result.output
        else:  # a standby takes over once the active one lets go
            leader = scheduling.Leader(service)
            thread = threading.Thread(target=leader.run, daemon=True)
            thread.start()
            assert not leader.active.wait(1.0)
            lock.release()
            assert leader.active.wait(30)
            leader.stop()
            thread.join(30)
            assert not thread.is_alive()
    finally:
        lock.release()


def test_scheduler_is_built_with_safe_job_defaults(service: Service) -> None:
    scheduler = scheduling.build(service)
    assert scheduler._job_defaults == {"coalesce": True, "max_instances": 1,
                                       "misfire_grace_time": 60}


def test_translation_waits_on_its_bell_with_the_configured_interval(service: Service) -> None:
    from syndicate.jobs import loops

    loop = loops.translating(service)
    assert loop.bell is service.bells.translate
    assert loop.interval == service.settings.translation.translate_interval
    assert loops.publishing(service).bell is service.bells.publish


def test_publish_job_is_attached_and_every_run_is_recorded(service: Service) -> None:
    from syndicate.jobs.publish import publish_feeds
    from syndicate.jobs.runs import run_recorded
    from syndicate.store import jobs as job_store

    scheduler = scheduling.build(service)
    job = scheduler.get_job("publish")
    assert job is not None
    assert job.trigger.interval.total_seconds() == service.settings.feeds.publish_interval
    run_recorded(service, "publish", publish_feeds)

    def broken(_: Service) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        run_recorded(service, "publish", broken, trigger="manual", requested_by="ops")
    with service.store.read() as session:
        failed, succeeded = job_store.recent(session, job="publish")
    assert (succeeded.state, succeeded.trigger, succeeded.error) == ("succeeded", "scheduled", None)
    assert succeeded.finished is not None and "written" in succeeded.counts
    assert (failed.state, failed.requested_by) == ("failed", "ops")
    assert failed.error == "RuntimeError: disk full"


def test_the_wsgi_app_never_starts_a_scheduler(env: dict[str, str]) -> None:
    import os
    import subprocess
    import sys

    code = ("import threading, syndicate.wsgi as w; "
            "print(w.app.name, sorted(t.name for t in threading.enumerate()))")
    result = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env},
                            capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "syndicate ['MainThread']"


def test_operator_jobs_run_apart_from_the_publishing_tick(service: Service) -> None:
    jobs = {job.id for job in scheduling.build(service).get_jobs()}
    assert jobs == {"publish", "dispatch", "tick", "sources"}  # translation is a loop
