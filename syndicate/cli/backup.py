"""Backup and restore: a consistent copy of an instance while it runs, and putting it back."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from .common import current_service, reported


@click.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
@reported
def backup_command(folder: Path) -> None:
    """Copy the database (online), the feeds, the translation files and the model list into
    FOLDER (new or empty), with a manifest."""
    manifest = current_service().backups.backup(folder)
    click.echo(f"backup in {folder}: {manifest.articles} articles, {manifest.feed_files} feed "
               f"files, {len(manifest.packages)} models listed, schema {manifest.schema} "
               f"({manifest.backend})")


@click.command("restore")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--force", is_flag=True, help="Replace an instance that has articles already.")
@with_appcontext
@reported
def restore_command(folder: Path, force: bool) -> None:
    """Restore a backup from FOLDER into this (empty) instance; an older schema is upgraded.
    Stop the service first, or restore into a new instance."""
    manifest, missing = current_service(initialised=False).backups.restore(folder, force=force)
    click.echo(f"restored the backup of {manifest.created}: {manifest.articles} articles, "
               f"{manifest.feed_files} feed files")
    for model in missing:
        click.echo(f"not installed here: {model} (install it: `syndicate models install`)",
                   err=True)
