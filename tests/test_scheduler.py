"""Exactly one scheduler: the second one refuses to start with a clear message."""

from __future__ import annotations

import pytest
from flask.testing import FlaskCliRunner

from syndicate.errors import SchedulerLocked
from syndicate.jobs import scheduler as scheduling
from syndicate.services import Services


def test_second_lock_is_refused_and_released_lock_can_be_taken(services: Services) -> None:
    instance = services.settings.instance_dir
    first = scheduling.acquire_lock(instance)
    with pytest.raises(SchedulerLocked, match="another scheduler is running"):
        scheduling.acquire_lock(instance)
    first.release()
    scheduling.acquire_lock(instance).release()


def test_scheduler_command_refuses_while_another_runs(runner: FlaskCliRunner,
                                                      services: Services) -> None:
    lock = scheduling.acquire_lock(services.settings.instance_dir)
    try:
        result = runner.invoke(args=["scheduler"])
    finally:
        lock.release()
    assert result.exit_code == 1
    assert "another scheduler is running" in result.output


def test_scheduler_is_built_with_safe_job_defaults(services: Services) -> None:
    scheduler = scheduling.build(services, blocking=False)
    assert scheduler._job_defaults == {"coalesce": True, "max_instances": 1,
                                       "misfire_grace_time": 60}


def test_translate_job_is_attached_at_the_configured_interval(services: Services) -> None:
    scheduler = scheduling.build(services, blocking=False)
    job = scheduler.get_job("translate")
    assert job is not None
    assert job.trigger.interval.total_seconds() == services.settings.translate_interval
    assert job.args == (services,)


def test_publish_job_is_attached_and_every_run_is_recorded(services: Services) -> None:
    from syndicate.jobs.publish import publish_feeds
    from syndicate.jobs.runs import run_recorded
    from syndicate.store import jobs as job_store

    scheduler = scheduling.build(services, blocking=False)
    job = scheduler.get_job("publish")
    assert job is not None
    assert job.trigger.interval.total_seconds() == services.settings.publish_interval
    run_recorded(services, "publish", publish_feeds)

    def broken(_: Services) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        run_recorded(services, "publish", broken, trigger="manual", requested_by="ops")
    with services.store.read() as session:
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
