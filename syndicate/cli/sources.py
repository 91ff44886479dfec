"""Upstream feeds syndicate polls and ingests."""

from __future__ import annotations

import json
import logging
from typing import Any

import click
from flask.cli import AppGroup

from .common import current_service, reported
from .table import Column, show

log = logging.getLogger(__name__)


sources_group = AppGroup("sources", help="Upstream feeds syndicate polls and ingests.")


@sources_group.command("add")
@click.argument("url")
@click.option("--language", help="The feed's language (default: the feed's own, else detected "
              "per entry).")
@click.option("--producer", help="Whose guids the entries become (default: the URL's host).")
@click.option("--categories", help="Categories added to every entry, comma-separated.")
@click.option("--interval", type=click.IntRange(1, 30 * 86400),
              help="Seconds between polls (default: SYNDICATE_SOURCE_INTERVAL).")
@click.option("--allow-host", "allow_hosts", multiple=True,
              help="A host, address or network this source may reach though it is not public "
              "(a private deployment, a local test feed).")
@click.option("--no-check", is_flag=True,
              help="Save without fetching the feed once first.")
@reported
def sources_add(url: str, language: str | None, producer: str | None, categories: str | None,
                interval: int | None, allow_hosts: tuple[str, ...], no_check: bool) -> None:
    """Fetch an upstream feed once (it must read as a feed) and register it; the scheduler
    polls it within seconds."""
    from ..ingest.sources import parse_source

    body: dict[str, Any] = {"url": url, "allow_hosts": list(allow_hosts)}
    if language:
        body["language"] = language
    if producer:
        body["producer"] = producer
    if categories:
        body["categories"] = [c.strip() for c in categories.split(",") if c.strip()]
    if interval:
        body["interval"] = interval
    source = current_service().sources.add(parse_source(body), check=not no_check)
    click.echo(f"added source {source.id}: {source.url} (producer {source.producer})")


@sources_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@reported
def sources_list(as_json: bool) -> None:
    """List sources: id, state, last status, entries ingested, URL, last problem."""
    found = current_service().sources.all()
    if as_json:
        show([s.to_dict() for s in found], [], as_json=True)
        return
    show([{"id": s.id, "state": "paused" if s.paused else "active", "status": s.last_status,
           "entries": s.entries_ingested, "producer": s.producer, "url": s.url,
           "problem": s.flagged or s.last_error} for s in found],
         [Column("id"), Column("state"), Column("status"), Column("entries"),
          Column("producer"), Column("url"), Column("problem")], empty="no sources")


@sources_group.command("show")
@click.argument("source_id", type=int)
@reported
def sources_show(source_id: int) -> None:
    """Show one source's settings and state as JSON."""
    click.echo(json.dumps(current_service().sources.get(source_id).to_dict(), indent=2))


@sources_group.command("pause")
@click.argument("source_id", type=int)
@reported
def sources_pause(source_id: int) -> None:
    """Stop polling a source."""
    current_service().sources.pause(source_id, True)
    click.echo(f"paused source {source_id}")


@sources_group.command("resume")
@click.argument("source_id", type=int)
@reported
def sources_resume(source_id: int) -> None:
    """Poll a paused source again (clears its flag and failure counts)."""
    current_service().sources.pause(source_id, False)
    click.echo(f"resumed source {source_id}")


@sources_group.command("update")
@click.argument("source_id", type=int)
@click.option("--language", help="The feed's language; '' for the feed's own or detected.")
@click.option("--interval", type=click.IntRange(1, 30 * 86400), help="Seconds between polls.")
@click.option("--categories", help="Categories added to every entry, comma-separated.")
@click.option("--allow-host", "allow_hosts", multiple=True,
              help="Replace the hosts this source may reach though not public (repeat it).")
@click.option("--no-allow-hosts", is_flag=True, help="Clear the source's allowed hosts.")
@reported
def sources_update(source_id: int, language: str | None, interval: int | None,
                   categories: str | None, allow_hosts: tuple[str, ...],
                   no_allow_hosts: bool) -> None:
    """Change a source; a new language or categories re-read the whole feed at once."""
    from ..ingest.sources import parse_source_change

    body: dict[str, Any] = {}
    if language is not None:
        body["language"] = language
    if interval is not None:
        body["interval"] = interval
    if categories is not None:
        body["categories"] = [c.strip() for c in categories.split(",") if c.strip()]
    if allow_hosts and no_allow_hosts:
        raise click.UsageError("give --allow-host or --no-allow-hosts, not both")
    if allow_hosts or no_allow_hosts:
        body["allow_hosts"] = list(allow_hosts)
    changes = parse_source_change(body)
    source = current_service().sources.change(source_id, changes)
    click.echo(f"updated source {source_id}: language {source.language or 'auto'}, "
               f"interval {source.interval or 'default'}, "
               f"categories {','.join(source.categories) or '-'}, "
               f"allowed hosts {','.join(source.allow_hosts) or '-'}")


@sources_group.command("remove")
@click.argument("source_id", type=int)
@reported
def sources_remove(source_id: int) -> None:
    """Forget a source; the articles it brought stay."""
    current_service().sources.remove(source_id)
    click.echo(f"removed source {source_id}")


@sources_group.command("fetch")
@click.argument("source_id", type=int)
@reported
def sources_fetch(source_id: int) -> None:
    """Fetch a source now, in this process, and say what it gave; exit 1 if it failed."""
    svc = current_service()
    report = svc.pipeline.poll_sources(only=[svc.sources.get(source_id)])
    source = svc.sources.get(source_id)
    click.echo(f"source {source_id}: status {source.last_status or '-'}, "
               f"{report.created} new, {report.updated} changed, {report.held} held"
               + (f"; {source.last_note}" if source.last_note else ""))
    if report.failed:
        raise click.ClickException(f"source {source_id}: {source.last_error}")
