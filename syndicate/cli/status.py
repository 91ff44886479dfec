"""The service at a glance, per language."""

from __future__ import annotations

import json
import logging

import click
from flask.cli import with_appcontext

from .common import current_service, reported
from .table import Column, show

log = logging.getLogger(__name__)


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@with_appcontext
@reported
def status_command(as_json: bool) -> None:
    """Show per language: model, articles by status, last publish, feed URL."""
    status = current_service().queries.status()
    if as_json:
        click.echo(json.dumps(status, indent=2))
        return
    rows = []
    for entry in status["languages"]:
        model = entry.get("model") or {}
        rows.append({
            "language": entry["language"],
            "model": "(source language)" if entry["source"] else
            f"{model['engine']} {model['version']}" + (" (test package: no translation)"
                                                       if model.get("test_package") else "")
            if model.get("installed") else "none installed",
            "memory": " + ".join(f"{m['peak_bytes'] / 1e6:.0f} MB" for m in model["memory"])
            if model.get("memory") else None,
            **{k: v for k, v in entry["articles"].items()},
            "published": entry["last_publish"][:19].replace("T", " ")
            if entry["last_publish"] else "never",
            "feed": entry["feeds"]["rss"] if entry["last_publish"] else None})
    show(rows, [Column("language", "LANG"), Column("model"), Column("written_in", "OWN"),
                Column("done"), Column("held"), Column("pending"), Column("failed"),
                Column("unavailable", "UNAVAIL"), Column("memory", "PEAK_MEMORY"),
                Column("published"), Column("feed")])
    plan = status["translation"]
    click.echo(f"translation: {plan['threads']} batch(es) at once, {plan['intra_threads']} "
               f"thread(s) each, on {plan['cores']} physical core(s) "
               "(SYNDICATE_TRANSLATE_THREADS)")
