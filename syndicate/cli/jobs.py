"""Operator jobs: translate, republish, retranslate, and the job runs."""

from __future__ import annotations

import json
import logging
import sys

import click
from flask.cli import with_appcontext

from .common import TIMEOUT, current_service, finish, languages_option, reported
from .table import Column, show

log = logging.getLogger(__name__)


@click.command("translate")
@click.option("--wait", is_flag=True,
              help="Also wait for what other workers (the scheduler's) are translating now.")
@TIMEOUT
@with_appcontext
@reported
def translate_command(wait: bool, timeout: float) -> None:
    """Run one translation pass now (the scheduler does this every interval)."""
    pipeline = current_service().pipeline
    report = pipeline.translate_until_idle(timeout) if wait else pipeline.translate_pending()
    click.echo(f"{report.done} done, {report.failed} failed, {report.unavailable} unavailable; "
               f"{report.segments} segments, {report.memory_hits} from memory, "
               f"{report.translated} translated")


@click.command("republish")
@click.option("--lang", help="Languages to republish, comma-separated (default: all).")
@TIMEOUT
@with_appcontext
@reported
def republish_command(lang: str | None, timeout: float) -> None:
    """Re-render and republish the feeds now, without retranslating."""
    from ..jobs import queue

    service = current_service()
    used = service.publisher.refresh()
    if used != service.settings.server.public_url:
        click.echo(f"links use the instance's public URL {used} (recorded by the service "
                   f"when it started), not this shell's {service.settings.server.public_url}",
                   err=True)
    finish(queue.run_here(service, "republish", {"languages": languages_option(lang)},
                           "cli", timeout=timeout))


@click.command("retranslate")
@click.argument("article_id", required=False)
@click.option("--all", "everything", is_flag=True, help="Every live article.")
@click.option("--lang", help="Languages, comma-separated (default: every target).")
@click.option("--force", is_flag=True, help="Bypass the translation memory (not human edits).")
@TIMEOUT
@with_appcontext
@reported
def retranslate_command(article_id: str | None, everything: bool, lang: str | None,
                        force: bool, timeout: float) -> None:
    """Translate ARTICLE_ID (or --all) again, then republish."""
    from ..jobs import queue

    if bool(article_id) == everything:
        raise click.UsageError("give ARTICLE_ID or --all")
    service = current_service()
    if article_id:
        service.articles.get(article_id)
    params = {"articles": [article_id] if article_id else None, "force": force,
              "languages": languages_option(lang)}
    with click.progressbar(length=1, label="retranslating", file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            bar.length = total
            bar.update(done - bar.pos)

        run = queue.run_here(service, "retranslate", params, "cli", progress, timeout=timeout)
    finish(run)


@click.command("jobs")
@click.option("--id", "run_id", type=int, help="Show one job run in full.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 200))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@with_appcontext
@reported
def jobs_command(run_id: int | None, limit: int, as_json: bool) -> None:
    """List recent job runs (scheduled and requested), newest first."""
    queries = current_service().queries
    if run_id is not None:
        click.echo(json.dumps(queries.job(run_id).to_dict(), indent=2))
        return
    runs = queries.jobs(limit=limit)
    if as_json:
        show([r.to_dict() for r in runs], [], as_json=True)
        return
    show([{"id": r.id, "job": r.job, "state": r.state, "trigger": r.trigger,
           "by": r.requested_by, "started": f"{r.started:%Y-%m-%d %H:%M:%S}",
           "result": r.error or r.summary()} for r in runs],
         [Column("id"), Column("job"), Column("state"), Column("trigger"), Column("by"),
          Column("started"), Column("result")], empty="no job runs yet")
