"""Processes: the web server (with the scheduler), the scheduler alone, workers."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from typing import Any, cast

import click
from flask import current_app
from flask.cli import with_appcontext

from .common import current_service, reported

log = logging.getLogger(__name__)


@click.command()
@click.option("--no-scheduler", is_flag=True, help="Serve the web app only.")
@with_appcontext
@reported
def serve(no_scheduler: bool) -> None:
    """Serve the web app (and run the scheduler, with its worker, in this process)."""
    from ..jobs.scheduler import Leader
    from ..web import server

    service = current_service()
    settings = service.settings
    app = cast(Any, current_app)._get_current_object()
    if server.in_use(settings):  # said in one line, before anything else starts
        raise click.ClickException(
            f"{settings.server.host}:{settings.server.port} is in use (another syndicate "
            "serve?): stop it, or set SYNDICATE_PORT")
    serving = server.create(app, settings)
    service.publisher.adopt()  # its public URL is the instance's, whoever runs a command
    leader = None
    if not no_scheduler:
        leader = Leader(service)
        held = leader.acquire_or_refuse()
        threading.Thread(target=leader.run, args=(held,), name="scheduler", daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    log.info("serving on http://%s:%d (public URL %s)", settings.server.host, settings.server.port,
             settings.server.public_url)
    try:
        serving.run()  # SIGTERM: waitress ends its workers and returns
    except KeyboardInterrupt:
        log.info("interrupted")
    finally:
        if leader is not None:
            leader.stop()


@click.command("scheduler")
@click.option("--no-worker", is_flag=True,
              help="Do not translate in this process (run `syndicate worker`s instead).")
@with_appcontext
@reported
def scheduler_command(no_worker: bool) -> None:
    """Run the scheduler: active if no other is, else a standby that takes over (PostgreSQL)."""
    from ..jobs.scheduler import Leader

    service = current_service()
    service.publisher.adopt()
    leader = Leader(service, worker=not no_worker)
    held = leader.acquire_or_refuse()
    if held is None:
        log.info("another scheduler is active; standing by to take over")
    signal.signal(signal.SIGTERM, lambda *_: leader.stop())
    try:
        leader.run(held)
    except KeyboardInterrupt:
        leader.stop()
    log.info("scheduler stopped")


@click.command("worker")
@with_appcontext
@reported
def worker_command() -> None:
    """Translate queued work (any number of workers, on any host), until stopped."""
    from ..jobs import loops

    service = current_service()
    loop = loops.translating(service)
    signal.signal(signal.SIGTERM, lambda *_: loop.stop())
    log.info("worker %s started (%d batches at once, %d threads each)", service.owner,
             service.pool.plan.threads, service.pool.plan.intra)
    service.listener.start()
    try:
        loop.run()
    except KeyboardInterrupt:
        pass
    finally:
        service.listener.stop()
        service.runner.release()
    log.info("worker stopped")
