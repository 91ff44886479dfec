"""The service at a glance, per language."""

from __future__ import annotations

import logging

import click
from flask.cli import with_appcontext

from .common import current_service, reported

log = logging.getLogger(__name__)


@click.command("status")
@with_appcontext
@reported
def status_command() -> None:
    """Show per language: model, articles by status, last publish."""
    for entry in current_service().queries.status()["languages"]:
        counts = entry["articles"]
        model = "source" if entry["source"] else (
            entry["model"]["version"] or "no package installed")
        click.echo(f"{entry['language']}\t{model}\t"
                   + " ".join(f"{k}={v}" for k, v in counts.items())
                   + f"\tlast publish {entry['last_publish'] or 'never'}")
