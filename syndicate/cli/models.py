"""Translation packages: list, install, remove (what a removed model made is requeued)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from .common import current_service, language_arg, reported
from .table import Column, show

log = logging.getLogger(__name__)


models = AppGroup("models", help="Argos translation packages.")


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@reported
def models_list(as_json: bool) -> None:
    """List installed packages and pairs (pair, engine, version, size on disk), and which
    one serves each of the service's pairs."""
    service = current_service()
    show(service.models.installed(),
         [Column("pair"), Column("engine"), Column("version"), Column("size_mb", "MB"),
          Column("model"), Column("serves"), Column("note")], as_json=as_json,
         empty=f"no packages installed in {service.settings.translation.packages_dir}, "
         "and no Apertium pairs (apt-get install apertium-eng-spa, ...)")


@models.command("install")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--from", "source", help="Install from the Argos index: source language.")
@click.option("--to", "targets", help="Target languages, comma-separated (with --from).")
@click.option("--force", is_flag=True,
              help="Install even when the package takes a pair over from another engine.")
@reported
def models_install(files: tuple[Path, ...], source: str | None, targets: str | None,
                   force: bool) -> None:
    """Install .argosmodel files, or --from/--to packages from the Argos package index."""
    if bool(files) == bool(source or targets) or bool(source) != bool(targets):
        raise click.UsageError("give FILE... or both --from and --to")
    models_ = current_service().models
    for path in files:
        installed, replaced, requeued = models_.install(path, force=force)
        kind = f"; a test package ({installed.test_kind}), not a translation model" \
            if installed.test_kind else ""
        click.echo(f"installed {installed.source}→{installed.target} {installed.version} "
                   f"({installed.path.name}){kind}")
        if requeued:
            click.echo(f"{requeued} translation(s) by {replaced} queued again")
    for target in (t.strip() for t in (targets or "").split(",") if t.strip()):
        src, tgt = language_arg(source or "", "--from"), language_arg(target, "--to")
        with click.progressbar(length=1, label=f"downloading {src}→{tgt}",
                               file=sys.stderr) as bar:

            def progress(done: int, total: int | None) -> None:
                if total and bar.length != total:
                    bar.length = total
                bar.update(done - bar.pos)

            installed, verified = models_.install_from_index(src, tgt, progress)
        click.echo(f"installed {installed.source}→{installed.target} {installed.version} "
                   f"({installed.path.name})"
                   + ("" if verified else "; unverified: the index gives no sha256"))


@models.command("remove")
@click.option("--from", "source", required=True)
@click.option("--to", "target", required=True)
@reported
def models_remove(source: str, target: str) -> None:
    """Remove the package for a language pair; what it translated is translated again."""
    removed, requeued = current_service().models.remove(language_arg(source, "--from"),
                                                        language_arg(target, "--to"))
    click.echo(f"removed {removed.source}→{removed.target} {removed.version}")
    if requeued:
        click.echo(f"{requeued} translation(s) by {removed.model_id} queued again")
